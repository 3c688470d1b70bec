package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HelmChartTest {
  static final Path CI = RenderedChart.CHART.resolve("ci");
  static final Path DASHBOARDS = Path.of("../dashboards").toAbsolutePath().normalize();

  static Stream<Path> ciValues() throws IOException {
    try (Stream<Path> files = Files.list(CI)) {
      return files.filter(p -> p.toString().endsWith("-values.yaml")).sorted().toList().stream();
    }
  }

  @Test
  void chart_passesStrictLint() {
    LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everyScenario_rendersManifestsWithNoUnknownFields(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    assertThat(chart.resources).as("resources rendered for %s", values.getFileName()).isNotEmpty();
    for (HasMetadata resource : chart.resources) {
      String id = resource.getKind() + "/" + resource.getMetadata().getName();
      assertThat(resource.getMetadata().getName().length())
          .as("name length of %s", id)
          .isLessThanOrEqualTo(63);
      if (!(resource instanceof GenericKubernetesResource)) {
        assertThat(UnknownFields.of(resource)).as("unknown fields in %s", id).isEmpty();
      }
    }
  }

  @Test
  void defaults_exposeTheAppsDefaultPorts() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    assertThat(ports(chart.one(Deployment.class, "mp-meshpulse-collector")))
        .as("collector container ports")
        .containsEntry("grpc", AppDefaults.COLLECTOR_GRPC)
        .containsEntry("http", AppDefaults.COLLECTOR_HTTP);
    assertThat(ports(chart.one(Deployment.class, "mp-meshpulse-xds-control")))
        .as("xds-control container ports")
        .containsEntry("grpc-ads", AppDefaults.XDS_ADS)
        .containsEntry("http", AppDefaults.XDS_HTTP);
    Service collector = chart.one(Service.class, "mp-meshpulse-collector");
    assertThat(collector.getSpec().getPorts())
        .as("collector service ports")
        .extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly(
            "grpc:" + AppDefaults.COLLECTOR_GRPC, "http:" + AppDefaults.COLLECTOR_HTTP);
    GenericKubernetesResource flink = chart.firstCustom("FlinkDeployment").orElseThrow();
    Map<String, Object> flinkConf = flink.get("spec", "flinkConfiguration");
    assertThat(flinkConf.get("metrics.reporter.prom.port"))
        .as("Flink Prometheus reporter port")
        .isEqualTo(String.valueOf(AppDefaults.FLINK_PROMETHEUS));
    assertThat(flinkConf.get("metrics.reporter.prom.filterLabelValueCharacters"))
        .as("label values kept as they are, so the job's build label compares with the others'")
        .isEqualTo("false");
  }

  @Test
  void aLongReleaseName_keepsTheNamesStrimziAndFlinkDeriveWithinTheirLimits() throws IOException {
    // 19 characters without "meshpulse": fullname staging-payments-eu-meshpulse (29).
    RenderedChart chart =
        RenderedChart.render(
            "staging-payments-eu",
            List.of(CI.resolve("strimzi-values.yaml"), CI.resolve("stream-processor-values.yaml")));
    GenericKubernetesResource kafka = chart.firstCustom("Kafka").orElseThrow();
    String cluster = kafka.getMetadata().getName();
    GenericKubernetesResource pool = chart.firstCustom("KafkaNodePool").orElseThrow();
    String pod = cluster + "-" + pool.getMetadata().getName() + "-99";
    assertThat(pod).as("a broker pod's name (and label value)").hasSizeLessThanOrEqualTo(63);
    assertThat(pool.getMetadata().getLabels())
        .as("the pool's cluster")
        .containsEntry("strimzi.io/cluster", cluster);
    String bootstrap = cluster + "-kafka-bootstrap";
    assertThat(bootstrap).as("Strimzi's bootstrap Service").hasSizeLessThanOrEqualTo(63);
    assertThat(chart.env("staging-payments-eu-meshpulse-collector"))
        .as("the collector's Kafka")
        .containsEntry("MESHPULSE_COLLECTOR_KAFKA_BOOTSTRAPSERVERS", bootstrap + ":9092");
    assertThat(chart.firstCustom("FlinkDeployment").orElseThrow().getMetadata().getName())
        .as("the FlinkDeployment: Flink's cluster id, 45 characters at most")
        .hasSizeLessThanOrEqualTo(45)
        .endsWith("-stream-processor");

    RenderedChart shortName = RenderedChart.render(CI.resolve("strimzi-values.yaml"));
    assertThat(shortName.firstCustom("KafkaNodePool").orElseThrow().getMetadata().getName())
        .as("a release whose pod names fitted keeps its pool")
        .isEqualTo("mp-meshpulse-kafka-pool");
  }

  @Test
  void theFlinkPods_runAsAServiceAccountTheChartGivesTheirRights_andPullWithItsSecrets()
      throws IOException {
    Path values = Files.createTempFile("flink-", "-values.yaml");
    Files.writeString(
        values,
        "imagePullSecrets:\n  - name: registry\n"
            + "streamProcessor:\n  serviceAccount:\n    annotations:\n"
            + "      eks.amazonaws.com/role-arn: arn:aws:iam::1:role/checkpoints\n");
    values.toFile().deleteOnExit();
    RenderedChart chart =
        RenderedChart.render(List.of(CI.resolve("stream-processor-values.yaml"), values));
    GenericKubernetesResource flink = chart.firstCustom("FlinkDeployment").orElseThrow();
    assertThat((String) flink.get("spec", "serviceAccount"))
        .as("the FlinkDeployment's service account")
        .isEqualTo("mp-meshpulse-flink");
    assertThat(
            chart
                .one(io.fabric8.kubernetes.api.model.ServiceAccount.class, "mp-meshpulse-flink")
                .getMetadata()
                .getAnnotations())
        .as("the service account's annotations")
        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/checkpoints");
    io.fabric8.kubernetes.api.model.rbac.Role role =
        chart.one(io.fabric8.kubernetes.api.model.rbac.Role.class, "mp-meshpulse-flink");
    assertThat(role.getRules())
        .as("the JobManager's rights")
        .anySatisfy(
            r -> {
              assertThat(r.getResources()).containsExactlyInAnyOrder("pods", "configmaps");
              assertThat(r.getVerbs()).contains("create", "delete", "watch", "update");
            });
    io.fabric8.kubernetes.api.model.rbac.RoleBinding binding =
        chart.one(io.fabric8.kubernetes.api.model.rbac.RoleBinding.class, "mp-meshpulse-flink");
    assertThat(binding.getSubjects())
        .as("bound to")
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo("mp-meshpulse-flink");
              assertThat(s.getNamespace()).isEqualTo("mesh");
            });
    assertThat(binding.getRoleRef().getName()).as("role").isEqualTo("mp-meshpulse-flink");
    assertThat(Serialization.asYaml(flink.get("spec", "podTemplate")))
        .as("the JobManager's and TaskManagers' pods")
        .contains("imagePullSecrets", "registry");

    Path own = Files.createTempFile("flink-", "-values.yaml");
    Files.writeString(own, "streamProcessor:\n  serviceAccount:\n    create: false\n");
    own.toFile().deleteOnExit();
    RenderedChart operators =
        RenderedChart.render(List.of(CI.resolve("stream-processor-values.yaml"), own));
    assertThat(
            (String)
                operators
                    .firstCustom("FlinkDeployment")
                    .orElseThrow()
                    .get("spec", "serviceAccount"))
        .as("not created: the operator's flink")
        .isEqualTo("flink");
    assertThat(operators.all(io.fabric8.kubernetes.api.model.rbac.Role.class))
        .as("no role")
        .isEmpty();
  }

  @Test
  void defaults_leaveOptionalFeaturesOff_andResourcesUnset() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    assertThat(chart.all(HorizontalPodAutoscaler.class)).as("HPAs by default").isEmpty();
    assertThat(chart.all(PodDisruptionBudget.class))
        .as("PDBs by default: the collectors' only")
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("mp-meshpulse-collector");
    assertThat(chart.all(Secret.class)).as("secrets by default").isEmpty();
    for (String kind :
        List.of("ServiceMonitor", "PodMonitor", "PrometheusRule", "Kafka", "EnvoyFilter")) {
      assertThat(chart.custom(kind)).as("%s by default", kind).isEmpty();
    }
    for (Deployment d : chart.all(Deployment.class)) {
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        assertThat(c.getResources() == null || c.getResources().getLimits() == null)
            .as("resources of %s unset", c.getName())
            .isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
            .as("read-only root fs of %s", c.getName())
            .isTrue();
      }
      assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
          .as("non-root pod %s", d.getMetadata().getName())
          .isTrue();
    }
  }

  @Test
  void defaults_drainAndStopGracefully_andSpreadTheCollectors() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class, "mp-meshpulse-collector");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).as("collectors down at once").isOne();
    assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy())
        .as("a collector that never got ready does not block a drain")
        .isEqualTo("AlwaysAllow");
    Deployment collector = chart.one(Deployment.class, "mp-meshpulse-collector");
    var pod = collector.getSpec().getTemplate().getSpec();
    assertThat(pod.getTerminationGracePeriodSeconds())
        .as("collector grace: preStop 5 s + streams 5 s + Kafka flush 10 s")
        .isEqualTo(45L);
    assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getExec().getCommand())
        .as("collector preStop")
        .containsExactly("sleep", "5");
    assertThat(pod.getTopologySpreadConstraints())
        .as("collectors spread over nodes")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
              assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
              assertThat(c.getLabelSelector().getMatchLabels())
                  .isEqualTo(collector.getSpec().getSelector().getMatchLabels());
            });
    assertThat(
            chart
                .one(Deployment.class, "mp-meshpulse-xds-control")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTerminationGracePeriodSeconds())
        .as("xds-control grace: ADS, loop, Streams and three producer flushes")
        .isEqualTo(60L);
    for (Deployment d : chart.all(Deployment.class)) {
      var spec = d.getSpec().getTemplate().getSpec();
      String name = d.getMetadata().getName();
      assertThat(spec.getAutomountServiceAccountToken())
          .as("%s: API token mounted", name)
          .isFalse();
      assertThat(spec.getSecurityContext().getRunAsGroup())
          .as("%s: group of the process", name)
          .isEqualTo((long) AppDefaults.APP_UID);
      Container c = spec.getContainers().get(0);
      assertThat(c.getLivenessProbe().getTimeoutSeconds())
          .as("%s: liveness timeout", name)
          .isEqualTo(5);
      assertThat(c.getLivenessProbe().getFailureThreshold())
          .as("%s: liveness tries", name)
          .isEqualTo(6);
      assertThat(c.getReadinessProbe().getTimeoutSeconds())
          .as("%s: readiness timeout", name)
          .isEqualTo(3);
    }
  }

  @Test
  void selectorLabels_carryNoVersion() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    for (Deployment d : chart.all(Deployment.class)) {
      assertThat(d.getSpec().getSelector().getMatchLabels())
          .as("selector of %s", d.getMetadata().getName())
          .doesNotContainKeys("app.kubernetes.io/version", "helm.sh/chart");
    }
  }

  @Test
  void prometheusRule_holdsExactlyTheCommittedRules() {
    RenderedChart chart = RenderedChart.render(CI.resolve("monitoring-values.yaml"));
    GenericKubernetesResource rule = chart.firstCustom("PrometheusRule").orElseThrow();
    Map<String, Object> committed =
        Serialization.unmarshal(
            read(DASHBOARDS.resolve("prometheus/meshpulse-rules.yml")), Map.class);
    Object renderedGroups = rule.get("spec", "groups");
    assertThat(renderedGroups).as("PrometheusRule groups").isEqualTo(committed.get("groups"));
  }

  @Test
  void runbookBaseUrl_pointsEveryAlertsRunbookAtTheOperatorsCopy(@TempDir Path dir)
      throws IOException {
    String upstream = "https://github.com/meshpulse/meshpulse/blob/main/docs/runbooks.md#";
    String committedRules = read(DASHBOARDS.resolve("prometheus/meshpulse-rules.yml"));
    Path values = dir.resolve("runbook-values.yaml");
    Files.writeString(
        values,
        "monitoring:\n  prometheusRule:\n    runbookBaseUrl: https://wiki.example/sre/meshpulse\n");
    RenderedChart chart =
        RenderedChart.render(List.of(CI.resolve("monitoring-values.yaml"), values));

    Map<String, Object> expected =
        Serialization.unmarshal(
            committedRules.replace(upstream, "https://wiki.example/sre/meshpulse#"), Map.class);
    GenericKubernetesResource rule = chart.firstCustom("PrometheusRule").orElseThrow();
    assertThat(rule.<Object>get("spec", "groups"))
        .as("PrometheusRule groups, every runbook_url moved")
        .isEqualTo(expected.get("groups"));
    assertThat(Serialization.asYaml(rule.get("spec", "groups")))
        .as("no upstream link left")
        .doesNotContain(upstream)
        .contains("runbook_url: \"https://wiki.example/sre/meshpulse#meshhealthdatastale\"");
  }

  @Test
  void dashboardConfigMaps_holdExactlyTheCommittedJson() throws IOException {
    RenderedChart chart = RenderedChart.render(CI.resolve("monitoring-values.yaml"));
    Map<String, String> committed = committedDashboards();
    assertThat(committed).as("committed dashboards").isNotEmpty();
    assertThat(dashboards(chart)).as("dashboard ConfigMaps").isEqualTo(committed);
  }

  @Test
  void istioMetricsSelector_narrowsEveryIstioSeriesOfTheRulesAndDashboards(@TempDir Path dir)
      throws IOException {
    // A second matcher, a regex and a `$` (which Helm's regexReplaceAll would otherwise expand).
    String matchers = "job=\"mp-meshpulse-collector\",namespace=~\"mesh.*$1\"";
    Path values = dir.resolve("selector-values.yaml");
    Files.writeString(values, "monitoring:\n  istioMetricsSelector: ' " + matchers + " '\n");
    RenderedChart chart =
        RenderedChart.render(List.of(CI.resolve("monitoring-values.yaml"), values));

    String committedRules = read(DASHBOARDS.resolve("prometheus/meshpulse-rules.yml"));
    assertThat(ISTIO_SELECTOR.matcher(committedRules).results().count())
        .as("istio_* selectors in the committed rules")
        .isGreaterThan(5);
    Map<String, Object> expected =
        Serialization.unmarshal(narrowed(committedRules, matchers), Map.class);
    GenericKubernetesResource rule = chart.firstCustom("PrometheusRule").orElseThrow();
    assertThat(rule.<Object>get("spec", "groups"))
        .as("PrometheusRule groups, each istio_* selector narrowed")
        .isEqualTo(expected.get("groups"));

    String escaped = matchers.replace("\"", "\\\"");
    Map<String, String> expectedDashboards =
        committedDashboards().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> narrowed(e.getValue(), escaped)));
    Map<String, String> rendered = dashboards(chart);
    assertThat(rendered).as("dashboard ConfigMaps, narrowed").isEqualTo(expectedDashboards);
    ObjectMapper json = new ObjectMapper();
    List<String> expressions = new ArrayList<>();
    for (String text : rendered.values()) {
      // Panel queries, and the template variables' (label_values(...)).
      for (String field : List.of("expr", "query", "definition")) {
        for (String expr : json.readTree(text).findValuesAsText(field)) {
          if (expr.contains("istio_")) {
            expressions.add(expr);
          }
        }
      }
    }
    assertThat(expressions)
        .as("dashboard queries on istio_* series")
        .isNotEmpty()
        .anySatisfy(expr -> assertThat(expr).startsWith("label_values("))
        .allSatisfy(
            expr ->
                assertThat(Arrays.stream(expr.split("(?=istio_)")).skip(1))
                    .allSatisfy(
                        series ->
                            assertThat(series)
                                .as("every istio_* series of %s", expr)
                                .matches(
                                    "(?s)istio_[a-z_]+\\{" + Pattern.quote(matchers) + ",.*")));
  }

  private static final Pattern ISTIO_SELECTOR = Pattern.compile("(istio_[a-z_]+)\\{");

  private static String narrowed(String text, String matchers) {
    return ISTIO_SELECTOR
        .matcher(text)
        .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "{" + matchers + ","));
  }

  private static Map<String, String> dashboards(RenderedChart chart) {
    return chart.all(ConfigMap.class).stream()
        .filter(cm -> "1".equals(cm.getMetadata().getLabels().get("grafana_dashboard")))
        .flatMap(cm -> cm.getData().entrySet().stream())
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static Map<String, String> committedDashboards() throws IOException {
    try (Stream<Path> files = Files.list(DASHBOARDS.resolve("grafana"))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("meshpulse-"))
          .collect(Collectors.toMap(p -> p.getFileName().toString(), p -> read(p).stripTrailing()));
    }
  }

  @Test
  void packagedFiles_equalTheirSources() {
    assertThat(read(RenderedChart.CHART.resolve("files/meshpulse-rules.yml")))
        .as("files/meshpulse-rules.yml (the build copies it)")
        .isEqualTo(read(DASHBOARDS.resolve("prometheus/meshpulse-rules.yml")));
  }

  @Test
  void alertWebhook_mountsTheTokenSecretAsADirectory_andPointsXdsControlAtTheFile() {
    RenderedChart chart = RenderedChart.render(CI.resolve("alert-webhook-values.yaml"));
    Secret secret = chart.all(Secret.class).get(0);
    assertThat(
            new String(
                java.util.Base64.getDecoder().decode(secret.getData().get("token")),
                StandardCharsets.UTF_8))
        .as("webhook token")
        .isEqualTo("test-token-0123456789");
    assertTokenFileWiring(chart, secret.getMetadata().getName());
  }

  @Test
  void alertWebhook_withAnExistingSecret_mountsThatSecret_andCreatesNone(@TempDir Path dir)
      throws IOException {
    Path values = dir.resolve("existing-secret.yaml");
    Files.writeString(values, "alertWebhook:\n  enabled: true\n  existingSecret: my-alert-token\n");
    RenderedChart chart = RenderedChart.renderOverDefaults(values);
    assertThat(chart.all(Secret.class)).as("secrets the chart creates").isEmpty();
    assertTokenFileWiring(chart, "my-alert-token");
  }

  @Test
  void withoutTheAlertWebhook_xdsControlGetsNoToken() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    Container xds = chart.container("mp-meshpulse-xds-control");
    assertThat(xds.getEnv())
        .as("xds-control env")
        .noneSatisfy(e -> assertThat(e.getName()).startsWith("MESHPULSE_XDS_ALERTS_TOKEN"));
    assertThat(xds.getVolumeMounts())
        .as("xds-control mounts")
        .noneSatisfy(m -> assertThat(m.getMountPath()).isEqualTo(ALERT_TOKEN_DIR));
  }

  static final String ALERT_TOKEN_DIR = "/etc/meshpulse/alerts";

  /**
   * The token reaches xds-control as a file of a secret volume mounted as a directory (a subPath
   * mount is never updated, so a rotated token would not reach it), named by {@code
   * meshpulse.xds.alerts.token-file}; never as an environment variable, which only a restart
   * changes.
   */
  private static void assertTokenFileWiring(RenderedChart chart, String secretName) {
    Deployment deployment = chart.one(Deployment.class, "mp-meshpulse-xds-control");
    Container xds = chart.container("mp-meshpulse-xds-control");
    assertThat(chart.env("mp-meshpulse-xds-control"))
        .as("xds-control env")
        .containsEntry("MESHPULSE_XDS_ALERTS_TOKENFILE", ALERT_TOKEN_DIR + "/token")
        .doesNotContainKey("MESHPULSE_XDS_ALERTS_TOKEN");
    assertThat(xds.getEnv())
        .as("no token from a secretKeyRef")
        .noneSatisfy(e -> assertThat(e.getName()).isEqualTo("MESHPULSE_XDS_ALERTS_TOKEN"));
    io.fabric8.kubernetes.api.model.VolumeMount mount =
        xds.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(ALERT_TOKEN_DIR))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no mount at " + ALERT_TOKEN_DIR));
    assertThat(mount.getSubPath()).as("token mount is a directory (kubelet updates it)").isNull();
    assertThat(mount.getReadOnly()).as("token mount read-only").isTrue();
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
        .as("volume %s", mount.getName())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo(mount.getName());
              assertThat(v.getSecret().getSecretName()).isEqualTo(secretName);
              assertThat(v.getSecret().getItems())
                  .singleElement()
                  .satisfies(
                      item -> {
                        assertThat(item.getKey()).isEqualTo("token");
                        assertThat(item.getPath()).isEqualTo("token");
                      });
            });
  }

  @Test
  void alertmanagerUrls_reachXdsControlAsOneCommaSeparatedProperty_onlyWhenSet() {
    Map<String, String> env =
        RenderedChart.render(CI.resolve("alert-webhook-values.yaml"))
            .env("mp-meshpulse-xds-control");
    assertThat(env)
        .as("xds-control env")
        .containsEntry(
            "MESHPULSE_XDS_ALERTS_ALERTMANAGERURL",
            "http://alertmanager-0.monitoring:9093,http://alertmanager-1.monitoring:9093")
        .containsEntry("MESHPULSE_XDS_ALERTS_RECONCILEINTERVAL", "30s")
        .containsEntry("MESHPULSE_XDS_ALERTS_ALERTMANAGERSTARTUPGRACE", "5m")
        .containsEntry("MESHPULSE_XDS_ALERTS_CYCLEMEMORY", "30m");
    assertThat(
            RenderedChart.render(CI.resolve("default-values.yaml")).env("mp-meshpulse-xds-control"))
        .as("xds-control env without alertmanagerUrls")
        .doesNotContainKeys(
            "MESHPULSE_XDS_ALERTS_ALERTMANAGERURL",
            "MESHPULSE_XDS_ALERTS_RECONCILEINTERVAL",
            "MESHPULSE_XDS_ALERTS_ALERTMANAGERSTARTUPGRACE")
        .containsEntry("MESHPULSE_XDS_ALERTS_CYCLEMEMORY", "30m");
  }

  @Test
  void collectorEnvironment_namesOnlyPropertiesTheCollectorBinds() {
    // The collector's properties (CollectorProperties), in Spring's canonical environment form:
    // dots become underscores, dashes are dropped, upper case.
    List<String> expected =
        Stream.of(
                "meshpulse.collector.kafka.bootstrap-servers",
                "meshpulse.collector.grpc.port",
                "meshpulse.collector.kafka.access-records-topic",
                "meshpulse.collector.kafka.proxy-stats-topic",
                "meshpulse.collector.grpc.tls.enabled",
                "meshpulse.collector.grpc.tls.cert-chain",
                "meshpulse.collector.grpc.tls.private-key",
                "meshpulse.collector.grpc.tls.trust-ca")
            .map(p -> p.replace('.', '_').replace("-", "").toUpperCase(java.util.Locale.ROOT))
            .toList();
    RenderedChart chart = RenderedChart.render(CI.resolve("tls-values.yaml"));
    Container collector =
        chart
            .one(Deployment.class, "mp-meshpulse-collector")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(
            collector.getEnv().stream()
                .map(e -> e.getName())
                .filter(n -> n.startsWith("MESHPULSE_COLLECTOR_")))
        .as("collector env names")
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void schema_rejectsAPortThatIsNotANumber(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad-values.yaml");
    Files.writeString(bad, "collector:\n  grpcPort: \"nineteen-thousand\"\n");
    assertThatThrownBy(() -> RenderedChart.render(bad))
        .as("template with a string port")
        .hasMessageContaining("grpcPort");
  }

  @Test
  void schema_rejectsAMisspeltValue(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad-values.yaml");
    Files.writeString(bad, "collector:\n  replicas: 3\n");
    assertThatThrownBy(() -> RenderedChart.render(bad))
        .as("template with collector.replicas (not a chart value)")
        .hasMessageContaining("replicas");
  }

  @Test
  void schema_refusesValuesTheAppsRefuse_andTakesOnesKubernetesTakes(@TempDir Path dir)
      throws IOException {
    Map<String, String> refused =
        Map.of(
            "streamProcessor:\n  taskManager:\n    slots: 0\n", "slots",
            "collector:\n  maxConnectionAge: 500ms\n", "maxConnectionAge",
            "xdsControl:\n  topology:\n    services: null\n", "services");
    int i = 0;
    for (Map.Entry<String, String> value : refused.entrySet()) {
      Path bad = Files.writeString(dir.resolve("bad-" + i++ + ".yaml"), value.getKey());
      assertThatThrownBy(() -> RenderedChart.renderOverDefaults(bad))
          .as("%s", value.getKey())
          .hasMessageContaining(value.getValue());
    }
    Path good =
        Files.writeString(
            dir.resolve("good.yaml"),
            "collector:\n  podDisruptionBudget:\n    maxUnavailable: \"50%\"\n"
                + "podSecurityContext:\n  seccompProfile:\n    type: Localhost\n"
                + "    localhostProfile: profiles/meshpulse.json\n");
    assertThat(
            RenderedChart.renderOverDefaults(good)
                .one(PodDisruptionBudget.class, "mp-meshpulse-collector")
                .getSpec()
                .getMaxUnavailable()
                .getStrVal())
        .as("a percentage")
        .isEqualTo("50%");
  }

  private static Map<String, Integer> ports(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
