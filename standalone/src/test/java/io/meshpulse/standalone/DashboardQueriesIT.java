package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshpulse.model.MeshpulseBuild;
import io.meshpulse.sim.Simulation;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.testing.RequiresTool;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every panel query of every committed dashboard, and every metric the committed rules read,
 * against a real Prometheus scraping the running platform (collector, Flink job, xds-control) while
 * the simulated fleet runs a hard failure: what Grafana would show, minus Grafana.
 */
@RequiresTool({"prometheus"})
class DashboardQueriesIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path GRAFANA = REPO.resolve("dashboards/grafana");
  private static final Path RULES = REPO.resolve("dashboards/prometheus/meshpulse-rules.yml");
  private static final Duration SCRAPE = Duration.ofSeconds(1);

  /** Grafana's $__rate_interval: max(4 x scrape interval, $__interval + scrape interval). */
  private static final Duration RATE_INTERVAL = Duration.ofSeconds(4);

  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*(.+)\\s*,\\s*(\\w+)\\s*\\)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path dataDir;
  private static Platform platform;
  private static LocalPrometheus prometheus;
  private static Instant start;
  private static Instant end;

  /**
   * Metrics of settings the platform here does not use, which a panel may show as empty: TLS
   * listeners (the collector's {@code TlsReloadIT} and xds-control's {@code AdsTlsIT} scrape each
   * from one), xds-control's webhook token file ({@code AlertTokenRotationIT}) and its
   * reconciliation with Alertmanager ({@code AlertReconcileIT}); and the collector's cardinality
   * overflow counter, whose labels (metric, label) exist only once a limit is passed ({@code
   * CardinalityIT}).
   */
  private static final Set<String> EXPORTED_WHEN_CONFIGURED =
      Set.of(
          "meshpulse_tls_certificate_expiry_timestamp_seconds",
          "meshpulse_tls_files_rejected",
          "meshpulse_xds_alerts_token_file_rejected",
          "meshpulse_alerts_reconcile_total",
          "meshpulse_collector_cardinality_overflow_total");

  @BeforeAll
  static void runTheFleetUnderARealPrometheus() throws Exception {
    dataDir = Files.createTempDirectory("meshpulse-dashboards-it-");
    Scenario scenario = ScenarioLoader.builtIn("hard-failure");
    Path topology = dataDir.resolve("topology.yaml");
    TopologyExport.write(scenario, topology);
    platform =
        Platform.start(PlatformOptions.builder(dataDir).randomPorts().topology(topology).build());
    prometheus =
        LocalPrometheus.start(
            dataDir.resolve("prometheus"),
            """
            global:
              scrape_interval: %s
              evaluation_interval: %s
            rule_files: ['%s']
            scrape_configs:
              - job_name: meshpulse-collector
                metrics_path: /actuator/prometheus
                static_configs: [{targets: ['%s']}]
              - job_name: meshpulse-xds-control
                metrics_path: /actuator/prometheus
                static_configs: [{targets: ['%s']}]
              - job_name: meshpulse-flink
                static_configs: [{targets: ['127.0.0.1:%d']}]
            """
                .formatted(
                    SCRAPE.toSeconds() + "s",
                    SCRAPE.toSeconds() + "s",
                    RULES,
                    URI.create(platform.collectorHttpUrl()).getAuthority(),
                    URI.create(platform.xdsHttpUrl()).getAuthority(),
                    platform.flinkPrometheusPort()));
    prometheus.awaitTargetsUp(3, Duration.ofSeconds(20));
    SimulationReport report;
    try (Simulation sim =
        Simulation.start(
            SimulationOptions.builder(scenario)
                .duration(Duration.ofSeconds(30))
                .faultAt(Duration.ofSeconds(10))
                .collector(platform.collectorTarget())
                .ads(platform.adsTarget())
                .build())) {
      report = sim.awaitCompletion();
    }
    start = Instant.ofEpochMilli(report.startEpochMs());
    end = Instant.ofEpochMilli(report.endEpochMs());
    // One more scrape and rule evaluation after the last request.
    Thread.sleep(3 * SCRAPE.toMillis());
    System.out.printf(
        "fleet ran %s to %s: %d requests, %d errors, fault onset %s%n",
        start, end, report.requests(), report.errors(), report.faultOnsetEpochMs());
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (platform != null) {
      platform.close();
    }
    Demo.deleteQuietly(dataDir);
  }

  @Test
  void everyPanelQueryOfEveryDashboard_returnsSeries_withItsVariablesFromPrometheus()
      throws Exception {
    List<String> rows = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    int queries = 0;
    for (Path file : dashboardFiles()) {
      JsonNode dashboard = JSON.readTree(file.toFile());
      String uid = dashboard.path("uid").asText();
      for (Map<String, String> vars : variableValues(dashboard)) {
        for (JsonNode panel : dashboard.path("panels")) {
          for (JsonNode target : panel.path("targets")) {
            String expr = substitute(target.path("expr").asText(), vars);
            JsonNode result =
                target.path("instant").asBoolean()
                    ? prometheus.query(expr, end)
                    : prometheus.queryRange(expr, start, end, SCRAPE);
            int series = seriesWithValues(result);
            queries++;
            String row =
                String.format(
                    "%-26s | %-36s | %s | %-16s | %3d",
                    uid,
                    panel.path("title").asText(),
                    target.path("refId").asText(),
                    vars.isEmpty() ? "-" : vars.toString(),
                    series);
            // A panel of a setting the platform here does not use (TLS) may show nothing.
            Set<String> reads = PromQlNames.of(expr);
            boolean configuredOnly =
                !reads.isEmpty() && EXPORTED_WHEN_CONFIGURED.containsAll(reads);
            rows.add(row + (configuredOnly ? "  (exported when configured)" : ""));
            if (series == 0 && !configuredOnly) {
              empty.add(row + "  <- " + expr);
            }
          }
        }
      }
    }
    System.out.printf(
        "%-26s | %-36s | %s | %-16s | %s%n", "dashboard", "panel", "q", "variables", "series");
    rows.forEach(System.out::println);
    assertThat(queries).as("panel queries run").isGreaterThan(30);
    assertThat(empty).as("panel queries that returned no series").isEmpty();
  }

  @Test
  void everyMetricTheRulesRead_isExported_andEveryRecordingRuleRecords() throws Exception {
    Set<String> exported = prometheus.metricNames();
    List<String> missing = new ArrayList<>();
    int rules = 0;
    System.out.printf("%-58s | %s%n", "rule", "metrics read (missing marked !)");
    for (JsonNode group : prometheus.rules()) {
      for (JsonNode rule : group.path("rules")) {
        rules++;
        String name = rule.path("name").asText();
        Set<String> read = PromQlNames.of(rule.path("query").asText());
        List<String> marked = new ArrayList<>();
        for (String metric : read) {
          boolean present = exported.contains(metric) || EXPORTED_WHEN_CONFIGURED.contains(metric);
          marked.add(present ? metric : "!" + metric);
          if (!present) {
            missing.add(name + " reads " + metric);
          }
        }
        if ("recording".equals(rule.path("type").asText()) && !exported.contains(name)) {
          missing.add(name + " recorded nothing");
        }
        System.out.printf("%-58s | %s%n", name, String.join(", ", marked));
      }
    }
    assertThat(rules).as("rules Prometheus loaded from %s", RULES).isGreaterThan(10);
    assertThat(missing).as("rule inputs not exported by the running platform").isEmpty();
  }

  @Test
  void everyComponent_reportsTheOneBuildTheyWereBuiltFrom() throws Exception {
    // The pipeline dashboard's "Builds running" table, over the three components' gauges.
    String expr = null;
    for (JsonNode panel :
        JSON.readTree(GRAFANA.resolve("meshpulse-pipeline.json").toFile()).path("panels")) {
      if (panel.path("title").asText().equals("Builds running")) {
        expr = panel.path("targets").path(0).path("expr").asText();
      }
    }
    assertThat(expr).as("the pipeline dashboard's builds table").isNotNull();
    JsonNode builds = prometheus.query(expr, end);
    MeshpulseBuild build = MeshpulseBuild.current();
    List<String> rows = new ArrayList<>();
    for (JsonNode row : builds) {
      JsonNode labels = row.path("metric");
      rows.add(
          labels.path("component").asText()
              + " "
              + labels.path("version").asText()
              + " "
              + labels.path("revision").asText());
    }

    assertThat(rows)
        .as("one row per component, each with this build's labels as they are")
        .containsExactlyInAnyOrder(
            "collector " + build.version() + " " + build.revision(),
            "health-job " + build.version() + " " + build.revision(),
            "xds-control " + build.version() + " " + build.revision());

    // What MeshComponentDown reads are those gauges: with every component reporting, its
    // expression selects nothing (rules tests show it firing when one stops).
    String down = null;
    for (JsonNode group : prometheus.rules()) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.path("name").asText().equals("MeshComponentDown")) {
          down = rule.path("query").asText();
        }
      }
    }
    assertThat(down).as("MeshComponentDown in %s", RULES).isNotNull();
    assertThat(prometheus.query(down, end)).as("components reported down").isEmpty();
  }

  private static List<Path> dashboardFiles() throws Exception {
    try (Stream<Path> files = Files.list(GRAFANA)) {
      List<Path> out =
          files
              .filter(p -> p.toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().equals("dashboard.schema.json"))
              .sorted()
              .toList();
      assertThat(out).as("dashboards in %s", GRAFANA).hasSizeGreaterThanOrEqualTo(4);
      return out;
    }
  }

  /**
   * One map of variable → value per value of the dashboard's query variable (every value Prometheus
   * lists for it), or one empty map when it has none.
   */
  private static List<Map<String, String>> variableValues(JsonNode dashboard) throws Exception {
    List<Map<String, String>> combos = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (!"query".equals(v.path("type").asText())) {
        continue;
      }
      Matcher m = LABEL_VALUES.matcher(v.path("query").asText());
      assertThat(m.matches()).as("variable query %s", v.path("query")).isTrue();
      List<String> values = prometheus.labelValues(m.group(2), m.group(1), start, end);
      assertThat(values)
          .as("values of $%s from %s", v.path("name").asText(), v.path("query"))
          .isNotEmpty();
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> combo : combos) {
        for (String value : values) {
          Map<String, String> c = new LinkedHashMap<>(combo);
          c.put(v.path("name").asText(), value);
          next.add(c);
        }
      }
      combos = next;
    }
    return combos;
  }

  /** Grafana's substitution: $var / ${var}, and the interval variables. */
  static String substitute(String expr, Map<String, String> vars) {
    String out = expr;
    for (Map.Entry<String, String> v : vars.entrySet()) {
      out = out.replace("${" + v.getKey() + "}", v.getValue());
      out = out.replace("$" + v.getKey(), v.getValue());
    }
    String rate = RATE_INTERVAL.toSeconds() + "s";
    String interval = SCRAPE.toSeconds() + "s";
    out =
        out.replace("${__rate_interval}", rate)
            .replace("$__rate_interval", rate)
            .replace("${__interval}", interval)
            .replace("$__interval", interval)
            .replace("$__range", Duration.between(start, end).toSeconds() + "s");
    Set<String> left = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{?(\\w+)").matcher(out);
    while (m.find()) {
      left.add(m.group(1));
    }
    assertThat(left).as("variables left unsubstituted in %s", out).isEmpty();
    return out;
  }

  private static int seriesWithValues(JsonNode result) {
    int n = 0;
    for (JsonNode series : result) {
      boolean hasValue = series.path("values").size() > 0 || series.path("value").size() > 0;
      n += hasValue ? 1 : 0;
    }
    return n;
  }
}
