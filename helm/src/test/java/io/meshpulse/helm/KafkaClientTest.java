package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * kafka.clientProperties and kafka.clientSecret, rendered the way the collector, xds-control and
 * the Flink job read them.
 */
class KafkaClientTest {
  static final Path CI = RenderedChart.CHART.resolve("ci");
  static final String MOUNT = "/etc/meshpulse/kafka-client";
  static final String JAAS =
      "${file:/etc/meshpulse/kafka-client/credentials.properties:sasl.jaas.config}";

  @Test
  void clientProperties_reachTheCollector_asSpringApplicationJson() throws Exception {
    RenderedChart chart = RenderedChart.render(CI.resolve("kafka-client-values.yaml"));
    Map<String, String> properties =
        jsonMap(chart, "mp-meshpulse-collector", "/meshpulse/collector/kafka/properties");
    assertThat(properties)
        .as("meshpulse.collector.kafka.properties")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", MOUNT + "/truststore.p12")
        .containsEntry("request.timeout.ms", "30000")
        .as("a config provider reference, escaped so that Spring passes it on as written")
        .containsEntry("sasl.jaas.config", "\\" + JAAS)
        .hasSize(clientProperties().size());
  }

  @Test
  void clientProperties_reachXdsControl_besideTheAlertActions() throws Exception {
    RenderedChart chart =
        RenderedChart.render(
            List.of(
                CI.resolve("alert-webhook-values.yaml"), CI.resolve("kafka-client-values.yaml")));
    JsonNode json = springJson(chart, "mp-meshpulse-xds-control");
    Map<String, String> properties = jsonMap(json.at("/meshpulse/xds/kafka/properties"));
    assertThat(properties)
        .as("meshpulse.xds.kafka.properties")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", "\\" + JAAS)
        .hasSize(clientProperties().size());
    assertThat(json.at("/meshpulse/xds/alerts/actions/0/shiftTo").asText())
        .as("the alert action in the same document")
        .isEqualTo("v1");

    Map<String, String> alone =
        jsonMap(
            RenderedChart.render(CI.resolve("kafka-client-values.yaml")),
            "mp-meshpulse-xds-control",
            "/meshpulse/xds/kafka/properties");
    assertThat(alone).as("properties without alert actions").isEqualTo(properties);
  }

  @Test
  void clientProperties_reachTheFlinkJob_asJobSettings_asWritten() {
    List<String> args =
        RenderedChart.render(CI.resolve("kafka-client-values.yaml"))
            .firstCustom("FlinkDeployment")
            .orElseThrow()
            .get("spec", "job", "args");
    Map<String, String> properties = new TreeMap<>();
    String prefix = "--meshpulse.health.kafka.properties.";
    for (String arg : args) {
      if (arg.startsWith(prefix)) {
        properties.put(
            arg.substring(prefix.length(), arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      }
    }
    assertThat(properties)
        .as("meshpulse.health.kafka.properties.* job settings (the job resolves no ${...})")
        .isEqualTo(new TreeMap<>(clientProperties()));
  }

  @Test
  void clientSecret_isMountedReadOnlyAsADirectory_inEveryPod() {
    RenderedChart chart = RenderedChart.render(CI.resolve("kafka-client-values.yaml"));
    for (String name : List.of("mp-meshpulse-collector", "mp-meshpulse-xds-control")) {
      assertSecretMounted(
          name, chart.one(Deployment.class, name).getSpec().getTemplate().getSpec());
    }
    Map<String, Object> podTemplate =
        chart.firstCustom("FlinkDeployment").orElseThrow().get("spec", "podTemplate");
    assertSecretMounted(
        "FlinkDeployment podTemplate (JobManager and TaskManagers)",
        Serialization.unmarshal(
                Serialization.asYaml(podTemplate), io.fabric8.kubernetes.api.model.Pod.class)
            .getSpec());
  }

  @Test
  void defaults_passNoClientProperties_andMountNoSecret() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    assertThat(chart.env("mp-meshpulse-collector"))
        .as("collector env by default")
        .doesNotContainKey("SPRING_APPLICATION_JSON");
    for (Deployment d : chart.all(Deployment.class)) {
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
          .as("mounts of %s", d.getMetadata().getName())
          .noneMatch(m -> m.getMountPath().equals(MOUNT));
    }
    Map<String, Object> podTemplate =
        chart.firstCustom("FlinkDeployment").orElseThrow().get("spec", "podTemplate");
    assertThat(Serialization.asYaml(podTemplate)).as("Flink pod template").doesNotContain(MOUNT);
    List<String> args =
        chart.firstCustom("FlinkDeployment").orElseThrow().get("spec", "job", "args");
    assertThat(args).noneMatch(a -> a.startsWith("--meshpulse.health.kafka.properties."));
  }

  private static void assertSecretMounted(String pod, PodSpec spec) {
    VolumeMount mount =
        spec.getContainers().get(0).getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(MOUNT))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no mount at " + MOUNT + " in " + pod));
    assertThat(mount.getReadOnly()).as("read-only mount in %s", pod).isTrue();
    assertThat(mount.getSubPath()).as("a directory mount in %s", pod).isNull();
    Volume volume =
        spec.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume " + mount.getName() + " in " + pod));
    assertThat(volume.getSecret().getSecretName())
        .as("secret of %s", pod)
        .isEqualTo("meshpulse-kafka-client");
  }

  /** kafka.clientProperties of ci/kafka-client-values.yaml. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> clientProperties() {
    try {
      Map<String, Object> values =
          new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
              .readValue(CI.resolve("kafka-client-values.yaml").toFile(), Map.class);
      return (Map<String, String>)
          ((Map<String, Object>) values.get("kafka")).get("clientProperties");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode springJson(RenderedChart chart, String deployment) throws Exception {
    String json = chart.env(deployment).get("SPRING_APPLICATION_JSON");
    assertThat(json).as("SPRING_APPLICATION_JSON of %s", deployment).isNotNull();
    return new ObjectMapper().readTree(json);
  }

  private static Map<String, String> jsonMap(RenderedChart chart, String deployment, String pointer)
      throws Exception {
    return jsonMap(springJson(chart, deployment).at(pointer));
  }

  private static Map<String, String> jsonMap(JsonNode node) {
    assertThat(node.isObject()).as("JSON object %s", node).isTrue();
    Map<String, String> out = new TreeMap<>();
    node.fieldNames().forEachRemaining(name -> out.put(name, node.get(name).asText()));
    return out;
  }
}
