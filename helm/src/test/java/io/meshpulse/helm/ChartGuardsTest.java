package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values the chart refuses, with a message naming them, instead of installing something broken. */
class ChartGuardsTest {
  static final Path CI = RenderedChart.CHART.resolve("ci");

  @Test
  void flinkJob_withoutStoragePaths_failsNamingTheValue(@TempDir Path dir) throws IOException {
    Path values = write(dir, "streamProcessor:\n  haStorageDir: s3://bucket/ha\n");
    assertThatThrownBy(() -> RenderedChart.render(values))
        .as("stream processor without checkpointDir")
        .hasMessageContaining("streamProcessor.checkpointDir is required")
        .hasMessageContaining("s3://");
    Path noHa = write(dir, "streamProcessor:\n  checkpointDir: s3://bucket/checkpoints\n");
    assertThatThrownBy(() -> RenderedChart.render(noHa))
        .as("stream processor without haStorageDir")
        .hasMessageContaining("streamProcessor.haStorageDir is required");
  }

  @Test
  void flinkStoragePaths_areNotRequired_withoutTheFlinkJob(@TempDir Path dir) throws IOException {
    Path values = write(dir, "streamProcessor:\n  enabled: false\n");
    assertThat(RenderedChart.render(values).custom("FlinkDeployment"))
        .as("FlinkDeployments with the job off")
        .isEmpty();
  }

  @Test
  void istioMetricsSelector_withBraces_failsNamingTheValue(@TempDir Path dir) throws IOException {
    Path values =
        write(dir, "monitoring:\n  istioMetricsSelector: '{job=\"meshpulse-collector\"}'\n");
    assertThatThrownBy(
            () -> RenderedChart.render(List.of(CI.resolve("monitoring-values.yaml"), values)))
        .as("matchers given with their braces")
        .hasMessageContaining("monitoring.istioMetricsSelector")
        .hasMessageContaining("without braces");
  }

  @Test
  void collectorAutoscaling_withMoreMinimumThanMaximumReplicas_fails(@TempDir Path dir)
      throws IOException {
    Path values =
        write(
            dir,
            "collector:\n  autoscaling:\n    enabled: true\n    minReplicas: 5\n    maxReplicas: 3\n"
                + "  resources:\n    limits: {cpu: 500m}\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(values))
        .as("HPA with min above max")
        .hasMessageContaining("collector.autoscaling.minReplicas (5) must not exceed");
  }

  @Test
  void collectorAutoscaling_withACpuLimitOnly_rendersTheHpa(@TempDir Path dir) throws IOException {
    Path values =
        write(
            dir,
            "collector:\n  autoscaling:\n    enabled: true\n  resources:\n    limits: {cpu: 1}\n");
    assertThat(RenderedChart.renderOverDefaults(values).all(HorizontalPodAutoscaler.class))
        .as("HPA with a CPU limit, which the request defaults to")
        .hasSize(1);
  }

  @Test
  void flinkConfiguration_ofAKeyTheChartSets_failsNamingIt(@TempDir Path dir) throws IOException {
    Path values =
        write(
            dir,
            "streamProcessor:\n  flinkConfiguration:\n    high-availability.type: zookeeper\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(values))
        .as("a Flink key the chart owns")
        .hasMessageContaining(
            "streamProcessor.flinkConfiguration.high-availability.type is set by the chart");
  }

  @Test
  void jobSettings_ofAKeyTheChartSets_failsNamingIt(@TempDir Path dir) throws IOException {
    Path values =
        write(dir, "streamProcessor:\n  jobSettings:\n    topics.access-records: other\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(values))
        .as("a job setting the chart writes")
        .hasMessageContaining(
            "streamProcessor.jobSettings.topics.access-records is set by the chart");
    Path own = write(dir, "streamProcessor:\n  jobSettings:\n    window.slide: 1s\n");
    assertThat(RenderedChart.renderOverDefaults(own).custom("FlinkDeployment"))
        .as("a job setting of the operator's own")
        .hasSize(1);
  }

  @Test
  void kafkaClientProperties_withBootstrapServers_failsNamingTheValue(@TempDir Path dir)
      throws IOException {
    Path values =
        write(dir, "kafka:\n  clientProperties:\n    bootstrap.servers: other-kafka:9092\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(values))
        .as("bootstrap.servers among the Kafka client properties")
        .hasMessageContaining("kafka.clientProperties.bootstrap.servers is set by the chart")
        .hasMessageContaining("kafka.bootstrapServers");
  }

  @Test
  void springApplicationJson_inExtraEnv_isRefused_whenTheChartWritesOne(@TempDir Path dir)
      throws IOException {
    String extraJson =
        "  extraEnv:\n    - {name: SPRING_APPLICATION_JSON, value: '{\"server\":{}}'}\n";
    Path collector =
        write(
            dir,
            "kafka:\n  clientProperties:\n    security.protocol: SSL\n"
                + "collector:\n"
                + extraJson);
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(collector))
        .as("the collector's extraEnv with client properties")
        .hasMessageContaining("collector.extraEnv sets SPRING_APPLICATION_JSON")
        .hasMessageContaining("kafka.clientProperties");
    Path xds =
        write(
            dir,
            "kafka:\n  clientProperties:\n    security.protocol: SSL\n"
                + "xdsControl:\n"
                + extraJson);
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(xds))
        .as("xds-control's extraEnv with client properties")
        .hasMessageContaining("xdsControl.extraEnv sets SPRING_APPLICATION_JSON");
    Path alone = write(dir, "collector:\n" + extraJson);
    assertThat(RenderedChart.renderOverDefaults(alone).env("mp-meshpulse-collector"))
        .as("without a document of the chart's, the variable is the user's to set")
        .containsEntry("SPRING_APPLICATION_JSON", "{\"server\":{}}");
  }

  @Test
  void kafkaClientProperties_withANumberOrABoolean_failTheSchema(@TempDir Path dir)
      throws IOException {
    Path number = write(dir, "kafka:\n  clientProperties:\n    request.timeout.ms: 30000\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(number))
        .as("an unquoted number")
        .hasMessageContaining("clientProperties");
    Path bool = write(dir, "kafka:\n  clientProperties:\n    enable.idempotence: true\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(bool))
        .as("an unquoted boolean")
        .hasMessageContaining("clientProperties");
    Path emptyKey = write(dir, "kafka:\n  clientProperties:\n    \"\": SASL_SSL\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(emptyKey))
        .as("an empty key (the schema's message names no path)")
        .hasMessageContaining("invalid propertyName ''");
  }

  @Test
  void aRunbookBaseUrlThatIsNoHttpUrlOrHasAnAnchorOrAQuote_failsTheSchema(@TempDir Path dir)
      throws IOException {
    for (String bad :
        List.of(
            "wiki/meshpulse",
            "https://wiki.example/runbooks.md#top",
            "https://wiki.example/\\\"x")) {
      Path values =
          write(dir, "monitoring:\n  prometheusRule:\n    runbookBaseUrl: \"" + bad + "\"\n");
      assertThatThrownBy(() -> RenderedChart.renderOverDefaults(values))
          .as("runbookBaseUrl %s", bad)
          .hasMessageContaining("runbookBaseUrl");
    }
  }

  @Test
  void twoXdsControlReplicas_electALeader_spreadOverNodes(@TempDir Path dir) throws IOException {
    Path values =
        write(
            dir,
            "xdsControl:\n  replicaCount: 2\n  leaseDuration: 15s\nkafka:\n  topics:\n"
                + "    xdsControlLease: lease-topic\n");
    RenderedChart chart = RenderedChart.renderOverDefaults(values);

    assertThat(chart.env("mp-meshpulse-xds-control"))
        .containsEntry("MESHPULSE_XDS_LEADERELECTION_ENABLED", "true")
        .containsEntry("MESHPULSE_XDS_LEADERELECTION_TOPIC", "lease-topic")
        .containsEntry("MESHPULSE_XDS_LEADERELECTION_LEASEDURATION", "15s");
    assertThat(chart.container("mp-meshpulse-xds-control").getEnv())
        .filteredOn(e -> e.getName().equals("MESHPULSE_XDS_LEADERELECTION_HOLDER"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.name"));
    var pod =
        chart
            .one(io.fabric8.kubernetes.api.model.apps.Deployment.class, "mp-meshpulse-xds-control")
            .getSpec();
    assertThat(pod.getReplicas()).isEqualTo(2);
    assertThat(pod.getTemplate().getSpec().getTopologySpreadConstraints())
        .singleElement()
        .satisfies(c -> assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
  }

  @Test
  void oneXdsControlReplica_electsNoLeader() {
    RenderedChart chart =
        RenderedChart.render(RenderedChart.CHART.resolve("ci/default-values.yaml"));
    assertThat(chart.env("mp-meshpulse-xds-control"))
        .doesNotContainKey("MESHPULSE_XDS_LEADERELECTION_ENABLED");
  }

  @Test
  void xdsControlReplicas_withADisruptionBudget_orAboveThree_areRefused(@TempDir Path dir)
      throws IOException {
    Path budget =
        write(dir, "xdsControl:\n  replicaCount: 2\n  podDisruptionBudget:\n    enabled: true\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(budget))
        .as("a standby with a disruption budget")
        .hasMessageContaining("xdsControl.podDisruptionBudget.enabled");
    Path four = dir.resolve("four.yaml");
    Files.writeString(four, "xdsControl:\n  replicaCount: 4\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(four))
        .as("xds-control with 4 replicas")
        .hasMessageContaining("replicaCount");
  }

  @Test
  void collectorAutoscaling_withoutACpuRequest_fails(@TempDir Path dir) throws IOException {
    Path values =
        write(
            dir,
            "collector:\n  autoscaling:\n    enabled: true\n  resources:\n"
                + "    requests: {memory: 1Gi}\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(values))
        .as("HPA without a CPU request")
        .hasMessageContaining("collector.resources.requests.cpu");
  }

  @Test
  void collectorAutoscaling_withACpuRequest_rendersTheHpa() {
    RenderedChart chart = RenderedChart.render(CI.resolve("autoscaling-values.yaml"));
    assertThat(chart.all(HorizontalPodAutoscaler.class))
        .as("HPAs")
        .extracting(h -> h.getSpec().getScaleTargetRef().getName())
        .containsExactly("mp-meshpulse-collector");
  }

  private static Path write(Path dir, String yaml) throws IOException {
    Path values = Files.createTempFile(dir, "guard-", "-values.yaml");
    Files.writeString(values, yaml);
    return values;
  }
}
