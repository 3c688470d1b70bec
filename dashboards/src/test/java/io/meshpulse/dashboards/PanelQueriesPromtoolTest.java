package io.meshpulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshpulse.testing.RequiresTool;
import io.meshpulse.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed ratio panels evaluated by Prometheus's own engine ({@code promtool test rules}) on
 * series where one version only ever failed and another never did: both keep their ratio.
 */
@RequiresTool({"promtool"})
class PanelQueriesPromtoolTest {
  static final Path GRAFANA = Path.of("grafana");
  static final ObjectMapper MAPPER = new ObjectMapper();

  // Service "shop" in two namespaces: v1 only ever failed (503, and gRPC's UNAVAILABLE answered
  // with 200), v2 never did (half its requests ended with the client gone, code 0, which is no
  // failure); the canary of the other namespace half failed, its failures seen by a waypoint
  // (ambient mode), which counts as the client side does; the destination's own view does not
  // count.
  static final String SERIES =
      """
      - series: 'istio_requests_total{reporter="source",destination_service_name="shop",destination_service_namespace="a",destination_version="v1",response_code="503",grpc_response_status=""}'
        values: '0+6x20'
      - series: 'istio_requests_total{reporter="source",destination_service_name="shop",destination_service_namespace="a",destination_version="v1",response_code="200",grpc_response_status="14"}'
        values: '0+6x20'
      - series: 'istio_requests_total{reporter="source",destination_service_name="shop",destination_service_namespace="a",destination_version="v2",response_code="200",grpc_response_status=""}'
        values: '0+6x20'
      - series: 'istio_requests_total{reporter="source",destination_service_name="shop",destination_service_namespace="a",destination_version="v2",response_code="0",grpc_response_status=""}'
        values: '0+6x20'
      - series: 'istio_requests_total{reporter="source",destination_service_name="shop",destination_service_namespace="b",destination_version="v2",response_code="200"}'
        values: '0+6x20'
      - series: 'istio_requests_total{reporter="waypoint",destination_service_name="shop",destination_service_namespace="b",destination_version="v2",response_code="500"}'
        values: '0+6x20'
      - series: 'istio_requests_total{reporter="destination",destination_service_name="shop",destination_service_namespace="b",destination_version="v2",response_code="200"}'
        values: '0+60x20'
      """;

  @Test
  void errorRatioByVersion_keepsTheVersionThatOnlyFailed(@TempDir Path dir) throws Exception {
    String expr = expr("meshpulse-service-detail.json", "Error ratio by version", "shop");
    assertPromtool(
        dir,
        expr,
        """
        - labels: '{destination_service_namespace="a",destination_version="v1"}'
          value: 1
        - labels: '{destination_service_namespace="a",destination_version="v2"}'
          value: 0
        - labels: '{destination_service_namespace="b",destination_version="v2"}'
          value: 0.5
        """);
  }

  @Test
  void successRateByService_keepsTheServiceThatOnlyFailed(@TempDir Path dir) throws Exception {
    String expr = expr("meshpulse-mesh-overview.json", "Success rate by service", null);
    // Overview: per service and namespace; "a" is v1 (all failed, 12/s) plus v2 (none, 12/s).
    assertPromtool(
        dir,
        expr,
        """
        - labels: '{destination_service_name="shop",destination_service_namespace="a"}'
          value: 0.5
        - labels: '{destination_service_name="shop",destination_service_namespace="b"}'
          value: 0.5
        """);
    String onlyFailed =
        Queries.successRatio(
                Queries.CLIENT_SIDE + ",destination_version=\"v1\"",
                "destination_service_name, destination_service_namespace")
            .replace("$__rate_interval", "1m");
    assertPromtool(
        dir,
        onlyFailed,
        """
        - labels: '{destination_service_name="shop",destination_service_namespace="a"}'
          value: 0
        """);
  }

  private static String expr(String file, String title, String service) throws Exception {
    JsonNode json = MAPPER.readTree(GRAFANA.resolve(file).toFile());
    for (JsonNode panel : json.get("panels")) {
      if (panel.get("title").asText().equals(title)) {
        String expr = panel.get("targets").get(0).get("expr").asText();
        expr = expr.replace("$__rate_interval", "1m");
        return service == null ? expr : expr.replace("$service", service);
      }
    }
    throw new AssertionError("no panel '" + title + "' in " + file);
  }

  private static void assertPromtool(Path dir, String expr, String expected) throws Exception {
    String test =
        "rule_files: []\n"
            + "tests:\n"
            + "  - interval: 15s\n"
            + "    input_series:\n"
            + SERIES.indent(6)
            + "    promql_expr_test:\n"
            + "      - expr: "
            + MAPPER.writeValueAsString(expr)
            + "\n"
            + "        eval_time: 4m\n"
            + "        exp_samples:\n"
            + expected.indent(10);
    Files.writeString(dir.resolve("panel-test.yml"), test);
    Tools.Result result =
        Tools.run(
            Duration.ofSeconds(60), dir, List.of("promtool", "test", "rules", "panel-test.yml"));
    assertThat(result.exitCode())
        .as("promtool test rules on %s:%n%s%n%s", expr, test, result.output())
        .isZero();
  }
}
