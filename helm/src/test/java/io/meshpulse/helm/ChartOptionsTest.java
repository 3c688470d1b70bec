package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Optional features rendered the way the apps and the Prometheus Operator read them. */
class ChartOptionsTest {
  static final Path CI = RenderedChart.CHART.resolve("ci");
  static final String XDS_PROPERTIES =
      "xds-control/src/main/java/io/meshpulse/xds/XdsControlProperties.java";

  @Test
  void everyMeshpulseScrapeTarget_honoursTheTargetsOwnLabels() {
    RenderedChart chart = RenderedChart.render(CI.resolve("monitoring-values.yaml"));
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (GenericKubernetesResource monitor : chart.custom("ServiceMonitor")) {
      endpoints.addAll(monitor.<List<Map<String, Object>>>get("spec", "endpoints"));
    }
    for (GenericKubernetesResource monitor : chart.custom("PodMonitor")) {
      endpoints.addAll(monitor.<List<Map<String, Object>>>get("spec", "podMetricsEndpoints"));
    }
    assertThat(chart.custom("ServiceMonitor"))
        .as("ServiceMonitors")
        .extracting(m -> m.getMetadata().getName())
        .contains("mp-meshpulse-xds-control", "mp-meshpulse-collector");
    assertThat(endpoints)
        .as("scrape endpoints of the ServiceMonitors and the PodMonitor")
        .hasSize(3)
        .allSatisfy(e -> assertThat(e).containsEntry("honorLabels", true));
  }

  @Test
  void collectorTls_withoutClientCA_servesTlsWithoutRequiringClientCertificates() {
    RenderedChart chart =
        RenderedChart.renderOverDefaults(
            valuesFile(
                "collector:\n  tls:\n    enabled: true\n    secretName: s\n    clientCA: false\n"));
    assertThat(chart.env("mp-meshpulse-collector"))
        .as("collector env with server-side TLS")
        .containsEntry("MESHPULSE_COLLECTOR_GRPC_TLS_ENABLED", "true")
        .containsKey("MESHPULSE_COLLECTOR_GRPC_TLS_CERTCHAIN")
        .doesNotContainKey("MESHPULSE_COLLECTOR_GRPC_TLS_TRUSTCA");
    assertThat(RenderedChart.render(CI.resolve("tls-values.yaml")).env("mp-meshpulse-collector"))
        .as("collector env with clientCA")
        .containsEntry("MESHPULSE_COLLECTOR_GRPC_TLS_TRUSTCA", "/etc/meshpulse/tls/ca.crt");
    assertThat(
            RenderedChart.renderOverDefaults(
                    valuesFile("collector:\n  tls:\n    enabled: true\n    secretName: s\n"))
                .env("mp-meshpulse-collector"))
        .as("TLS on without naming clientCA: mTLS, as before the option existed")
        .containsEntry("MESHPULSE_COLLECTOR_GRPC_TLS_TRUSTCA", "/etc/meshpulse/tls/ca.crt");
  }

  @Test
  void adsTls_mountsTheSecretAsADirectory_andNamesItsFilesToXdsControl() {
    RenderedChart off = RenderedChart.renderOverDefaults(valuesFile("{}\n"));
    assertThat(off.env("mp-meshpulse-xds-control"))
        .as("xds-control env without ADS TLS")
        .doesNotContainKey("MESHPULSE_XDS_ADS_TLS_ENABLED");

    RenderedChart chart =
        RenderedChart.renderOverDefaults(
            valuesFile("xdsControl:\n  adsTls:\n    enabled: true\n    secretName: ads-cert\n"));
    assertThat(chart.env("mp-meshpulse-xds-control"))
        .as("xds-control env with ADS TLS")
        .containsEntry("MESHPULSE_XDS_ADS_TLS_ENABLED", "true")
        .containsEntry("MESHPULSE_XDS_ADS_TLS_CERTCHAIN", "/etc/meshpulse/ads-tls/tls.crt")
        .containsEntry("MESHPULSE_XDS_ADS_TLS_PRIVATEKEY", "/etc/meshpulse/ads-tls/tls.key")
        .containsEntry("MESHPULSE_XDS_ADS_TLS_TRUSTCA", "/etc/meshpulse/ads-tls/ca.crt");
    io.fabric8.kubernetes.api.model.VolumeMount mount =
        chart.container("mp-meshpulse-xds-control").getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/etc/meshpulse/ads-tls"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no mount at /etc/meshpulse/ads-tls"));
    assertThat(mount.getSubPath()).as("a directory mount, which the kubelet updates").isNull();
    assertThat(
            chart
                .one(
                    io.fabric8.kubernetes.api.model.apps.Deployment.class,
                    "mp-meshpulse-xds-control")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo(mount.getName());
              assertThat(v.getSecret().getSecretName()).isEqualTo("ads-cert");
            });

    assertThat(
            RenderedChart.renderOverDefaults(
                    valuesFile(
                        "xdsControl:\n  adsTls:\n    enabled: true\n    secretName: ads-cert\n"
                            + "    clientCA: false\n"))
                .env("mp-meshpulse-xds-control"))
        .as("server-side TLS only")
        .containsEntry("MESHPULSE_XDS_ADS_TLS_ENABLED", "true")
        .doesNotContainKey("MESHPULSE_XDS_ADS_TLS_TRUSTCA");
  }

  @Test
  void alertActions_reachXdsControl_withLabelNamesIntact() throws Exception {
    RenderedChart chart = RenderedChart.render(CI.resolve("alert-webhook-values.yaml"));
    String json = chart.env("mp-meshpulse-xds-control").get("SPRING_APPLICATION_JSON");
    assertThat(json).as("SPRING_APPLICATION_JSON").isNotNull();
    JsonNode actions = new ObjectMapper().readTree(json).at("/meshpulse/xds/alerts/actions");
    assertThat(actions.size()).as("actions").isEqualTo(1);
    JsonNode action = actions.get(0);
    assertThat(action.at("/match/meshpulse_action").asText())
        .as("match label with an underscore")
        .isEqualTo("shift");
    assertThat(action.at("/match/alertname").asText())
        .as("match alertname")
        .isEqualTo("MeshCanaryErrorRateHigh");
    assertThat(action.at("/shiftTo").asText()).as("shiftTo").isEqualTo("v1");
    assertThat(action.at("/stepInterval").asText()).as("stepInterval").isEqualTo("1s");
    List<String> components = actionComponents();
    action
        .fieldNames()
        .forEachRemaining(
            name ->
                assertThat(components).as("XdsControlProperties.Action components").contains(name));
  }

  @Test
  void alertActions_areAbsentByDefault() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    assertThat(chart.env("mp-meshpulse-xds-control"))
        .as("xds-control env by default")
        .doesNotContainKey("SPRING_APPLICATION_JSON");
  }

  @Test
  void exampleBootstrap_namesTheServicesFullyQualified() {
    RenderedChart chart = RenderedChart.render(CI.resolve("examples-values.yaml"));
    String bootstrap =
        chart.one(ConfigMap.class, "mp-meshpulse-envoy-example").getData().get("envoy.yaml");
    assertThat(bootstrap)
        .as("example Envoy bootstrap")
        .contains(
            "address: mp-meshpulse-xds-control.mesh.svc.cluster.local, port_value: "
                + AppDefaults.XDS_ADS)
        .contains(
            "address: mp-meshpulse-collector.mesh.svc.cluster.local, port_value: "
                + AppDefaults.COLLECTOR_GRPC);
  }

  @Test
  void exampleBootstrapAndEnvoyFilter_nameTheServicesUnderTheClusterDomain() {
    RenderedChart chart =
        RenderedChart.renderOverDefaults(
            valuesFile(
                "clusterDomain: corp.example\n"
                    + "examples:\n  envoyBootstrap:\n    enabled: true\n"
                    + "  istio:\n    envoyFilter: true\n"));
    assertThat(chart.one(ConfigMap.class, "mp-meshpulse-envoy-example").getData().get("envoy.yaml"))
        .as("example Envoy bootstrap")
        .contains("address: mp-meshpulse-xds-control.mesh.svc.corp.example, port_value: ")
        .doesNotContain("cluster.local");
    assertThat(Serialization.asYaml(chart.firstCustom("EnvoyFilter").orElseThrow()))
        .as("the EnvoyFilter's access log cluster, as Istio names it")
        .contains(
            "outbound|"
                + AppDefaults.COLLECTOR_GRPC
                + "||mp-meshpulse-collector.mesh.svc.corp.example");
  }

  @Test
  @SuppressWarnings("unchecked")
  void exampleBootstrap_reachesTlsListenersOverTls() throws Exception {
    Path values =
        valuesFile(
            "examples:\n  envoyBootstrap:\n    enabled: true\n"
                + "collector:\n  tls:\n    enabled: true\n    secretName: c\n    clientCA: false\n"
                + "xdsControl:\n  adsTls:\n    enabled: true\n    secretName: x\n");
    String bootstrap =
        RenderedChart.renderOverDefaults(values)
            .one(ConfigMap.class, "mp-meshpulse-envoy-example")
            .getData()
            .get("envoy.yaml");
    Map<String, Object> parsed =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readValue(bootstrap, Map.class);
    Map<String, Map<String, Object>> clusters = new java.util.HashMap<>();
    for (Map<String, Object> cluster :
        (List<Map<String, Object>>)
            ((Map<String, Object>) parsed.get("static_resources")).get("clusters")) {
      clusters.put((String) cluster.get("name"), cluster);
    }
    // The names docs/kubernetes.md tells to issue the certificates for.
    String xds = "mp-meshpulse-xds-control.mesh.svc";
    String collector = "mp-meshpulse-collector.mesh.svc";
    Map<String, Object> xdsTls = tlsContext(clusters.get("meshpulse_xds"));
    assertThat(xdsTls).as("meshpulse_xds TLS").containsEntry("sni", xds);
    assertThat(xdsTls.toString())
        .as("meshpulse_xds TLS: mTLS by default")
        .contains("tls_certificates", "/etc/envoy/tls/ca.crt", "exact=" + xds);
    Map<String, Object> collectorTls = tlsContext(clusters.get("meshpulse_collector"));
    assertThat(collectorTls).as("meshpulse_collector TLS").containsEntry("sni", collector);
    assertThat(collectorTls.toString())
        .as("meshpulse_collector TLS without clientCA: no client certificate")
        .doesNotContain("tls_certificates")
        .contains("/etc/envoy/tls/ca.crt");

    String plain =
        RenderedChart.render(CI.resolve("examples-values.yaml"))
            .one(ConfigMap.class, "mp-meshpulse-envoy-example")
            .getData()
            .get("envoy.yaml");
    assertThat(plain).as("bootstrap without TLS").doesNotContain("transport_socket");
  }

  @Test
  void collectorMaxConnectionAge_isOnWithAutoscalingOrWhenSet() {
    String env = "MESHPULSE_COLLECTOR_GRPC_MAXCONNECTIONAGE";
    String collector = "mp-meshpulse-collector";
    assertThat(RenderedChart.render(CI.resolve("default-values.yaml")).env(collector))
        .as("by default")
        .doesNotContainKey(env);
    assertThat(RenderedChart.render(CI.resolve("autoscaling-values.yaml")).env(collector))
        .as("with autoscaling: new replicas get their share of the proxies")
        .containsEntry(env, "30m");
    assertThat(
            RenderedChart.renderOverDefaults(valuesFile("collector:\n  maxConnectionAge: 2h\n"))
                .env(collector))
        .as("set")
        .containsEntry(env, "2h");
    assertThat(
            RenderedChart.render(
                    List.of(
                        CI.resolve("autoscaling-values.yaml"),
                        valuesFile("collector:\n  maxConnectionAge: \"0\"\n")))
                .env(collector))
        .as("turned off with autoscaling")
        .containsEntry(env, "0");
  }

  @Test
  void collectorMaxConnectionAge_thatIsNoDuration_isRefused() {
    assertThatThrownBy(
            () ->
                RenderedChart.renderOverDefaults(
                    valuesFile("collector:\n  maxConnectionAge: 30 minutes\n")))
        .hasMessageContaining("maxConnectionAge");
  }

  @Test
  void exampleEnvoyFilter_logsIstiosPeerMetadata() {
    var filter =
        RenderedChart.render(CI.resolve("examples-values.yaml"))
            .firstCustom("EnvoyFilter")
            .orElseThrow();
    String accessLog =
        filter.getAdditionalProperties().get("spec").toString().replaceAll("\\s+", "");
    assertThat(accessLog)
        .as("the gRPC access log logs the filter state objects of Istio's peer metadata")
        .contains("log_name=meshpulse")
        .contains("filter_state_objects_to_log=[downstream_peer,upstream_peer]");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tlsContext(Map<String, Object> cluster) {
    Map<String, Object> socket = (Map<String, Object>) cluster.get("transport_socket");
    assertThat(socket).as("transport_socket of %s", cluster.get("name")).isNotNull();
    assertThat(socket).containsEntry("name", "envoy.transport_sockets.tls");
    return (Map<String, Object>) socket.get("typed_config");
  }

  /** The record components of XdsControlProperties.Action, the shape of one action. */
  static List<String> actionComponents() {
    String source = AppDefaults.source(XDS_PROPERTIES);
    Matcher record =
        Pattern.compile("record Action\\((.*?)\\)\\s*\\{", Pattern.DOTALL).matcher(source);
    assertThat(record.find()).as("record Action in XdsControlProperties").isTrue();
    List<String> out = new ArrayList<>();
    // Every component is annotated (@DefaultValue ...): split before each annotation.
    for (String part : record.group(1).split(",\\s*(?=@)")) {
      String[] words = part.strip().split("\\s+");
      out.add(words[words.length - 1]);
    }
    assertThat(out).as("Action components").contains("match", "shiftTo", "stepInterval");
    return out;
  }

  private static Path valuesFile(String yaml) {
    try {
      Path file = java.nio.file.Files.createTempFile("options-", "-values.yaml");
      java.nio.file.Files.writeString(file, yaml);
      file.toFile().deleteOnExit();
      return file;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
