package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshpulse.sim.RouteChange;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.sim.xds.ClusterName;
import io.meshpulse.testing.RequiresTool;
import io.meshpulse.testing.Tools;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on the real tools: the bad-canary scenario, a real Prometheus evaluating the committed
 * alert rule, a real Alertmanager routing it with the committed configuration to xds-control's
 * webhook, and the route shifted away from the canary.
 */
@RequiresTool({"prometheus", "prometheus-alertmanager"})
class AlertShiftIT {
  private static final String TOKEN = "it-token-" + System.nanoTime();
  private static final String CANARY_SERVICE = "reviews";
  private static final String CANARY = "v3";
  private static Path dataDir;
  private static Platform platform;
  private static HealthWatcher watcher;
  private static LocalPrometheus prometheus;
  private static Process alertmanager;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("meshpulse-alert-it-");
    Scenario scenario = ScenarioLoader.builtIn("bad-canary");
    Path topology = dataDir.resolve("topology.yaml");
    TopologyExport.write(scenario, topology);
    platform =
        Platform.start(
            PlatformOptions.builder(dataDir)
                .randomPorts()
                .topology(topology)
                // Health alone must not move the canary here: this test is about the alert path.
                // The alert path alone: health-driven subset shifts would act on the canary first.
                .xdsProperty("meshpulse.xds.subset-shift.enabled=false")
                .xdsProperty("meshpulse.xds.policy.unhealthy-min-confidence=1.0")
                .xdsProperty("meshpulse.xds.policy.degraded-min-confidence=1.0")
                .xdsProperty("meshpulse.xds.alerts.token=" + TOKEN)
                .xdsProperty(
                    "meshpulse.xds.alerts.actions[0].match.alertname=MeshCanaryErrorRateHigh")
                .xdsProperty("meshpulse.xds.alerts.actions[0].shift-to=v1")
                .xdsProperty("meshpulse.xds.alerts.actions[0].step=50")
                .xdsProperty("meshpulse.xds.alerts.actions[0].step-interval=1s")
                .build());
    watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC());

    Path repo = Path.of("..").toAbsolutePath().normalize();
    int alertmanagerPort = LocalPrometheus.freePort();
    Path am = Files.createDirectories(dataDir.resolve("alertmanager"));
    Files.writeString(am.resolve("token"), TOKEN);
    String amConfig =
        Files.readString(repo.resolve("dashboards/alertmanager/alertmanager.yml"))
            .replace("http://127.0.0.1:18080", platform.xdsHttpUrl())
            .replace("/etc/meshpulse/alert-webhook-token", am.resolve("token").toString())
            .replaceAll("group_interval: \\d+s", "group_interval: 1s");
    Files.writeString(am.resolve("alertmanager.yml"), amConfig);
    alertmanager =
        LocalPrometheus.launch(
            am,
            List.of(
                Tools.require("prometheus-alertmanager").toString(),
                "--config.file=" + am.resolve("alertmanager.yml"),
                "--storage.path=" + am.resolve("data"),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--cluster.listen-address="));

    Path prom = Files.createDirectories(dataDir.resolve("prometheus"));
    // The committed rules, evaluated every second over 10 s windows; the alert expression as is.
    String rules =
        Files.readString(repo.resolve("dashboards/prometheus/meshpulse-rules.yml"))
            .replaceAll("interval: \\d+s", "interval: 1s")
            .replace("[1m]", "[10s]");
    Files.writeString(prom.resolve("rules.yml"), rules);
    String collector = URI.create(platform.collectorHttpUrl()).getAuthority();
    prometheus =
        LocalPrometheus.start(
            prom,
            """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [%s]
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:%d']
            scrape_configs:
              - job_name: collector
                metrics_path: /actuator/prometheus
                static_configs:
                  - targets: ['%s']
            """
                .formatted(prom.resolve("rules.yml"), alertmanagerPort, collector),
            "--rules.alert.resend-delay=1s");
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.waitFor();
    }
    if (watcher != null) {
      watcher.close();
    }
    if (platform != null) {
      platform.close();
    }
    Demo.deleteQuietly(dataDir);
  }

  private String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void badCanary_firesTheAlert_andAlertmanagerShiftsTheCanarysTrafficToStable() throws Exception {
    Demo demo =
        new Demo(LaunchOptions.parse(List.of("demo", "--no-ui")), new PrintStream(System.out));
    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("bad-canary"))
                .duration(Duration.ofSeconds(45))
                .faultAt(Duration.ofSeconds(15)));
    System.out.print(report.summary());
    String decisions =
        http.send(
                HttpRequest.newBuilder(
                        URI.create(platform.xdsHttpUrl() + "/api/v1/decisions?cluster=reviews"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    System.out.println("prometheus alerts: " + get(prometheus.url("/api/v1/alerts")));
    System.out.println(
        "canary error ratio: "
            + get(
                prometheus.url(
                    "/api/v1/query?query=destination_version:istio_request_error_ratio:rate1m")));
    JsonNode firstShift = null;
    for (JsonNode d : new ObjectMapper().readTree(decisions)) {
      // The first that moved weight, not the record of the alert's firing.
      boolean alert =
          "DECISION_TRIGGER_ALERT".equals(d.path("trigger").asText()) && !d.has("alertShifts");
      if (alert
          && (firstShift == null
              || d.path("decidedUnixMillis").asLong()
                  < firstShift.path("decidedUnixMillis").asLong())) {
        firstShift = d;
      }
    }
    assertThat(firstShift).as("an ALERT decision on reviews in %s", decisions).isNotNull();
    assertThat(firstShift.path("triggerRef").asText()).as("alert fingerprint").isNotBlank();
    boolean canaryDown = false;
    for (JsonNode c : firstShift.path("routeChanges")) {
      canaryDown |=
          c.path("subset").asText().equals("v3")
              && c.path("newWeight").asInt() < c.path("oldWeight").asInt();
    }
    assertThat(canaryDown).as("the first alert decision lowers v3: %s", firstShift).isTrue();
    assertThat(decisions)
        .as("the canary's route weight reached 0 (newWeight omitted when 0)")
        .containsPattern("\\{\"route\":\"reviews\",\"subset\":\"v3\",\"oldWeight\":\\d+\\}");
    assertThat(report.faultOnsetEpochMs()).as("fault onset").isNotNull();
    double seconds =
        (firstShift.path("decidedUnixMillis").asLong() - report.faultOnsetEpochMs()) / 1000.0;
    System.out.printf("fault onset -> alert-driven route shift at xds-control: %.1f s%n", seconds);
    assertThat(seconds).as("seconds from fault onset to the shift").isBetween(0.0, 30.0);

    assertShiftAtTheProxies(report.simulation(), report.faultOnsetEpochMs());
  }

  /**
   * The shift as the simulated proxies saw it: the reviews route each one received over ADS gives
   * the canary (v3) weight 0, and the requests they send in the seconds after it no longer reach
   * v3.
   */
  private static void assertShiftAtTheProxies(SimulationReport sim, long onset) {
    int calling = sim.proxiesCallingFaultService();
    assertThat(calling).as("proxies calling reviews").isPositive();
    Map<String, Long> lowered = new TreeMap<>();
    Map<String, Long> zero = new TreeMap<>();
    for (RouteChange c : sim.routeChanges()) {
      if (!c.service().equals(CANARY_SERVICE) || c.epochMs() < onset) {
        continue;
      }
      int before = subsetWeight(c.before(), CANARY);
      int after = subsetWeight(c.after(), CANARY);
      if (after < before) {
        lowered.merge(c.proxy(), c.epochMs(), Math::min);
      }
      if (after == 0 && before > 0) {
        zero.merge(c.proxy(), c.epochMs(), Math::min);
      }
    }
    assertThat(zero)
        .as(
            "proxies whose reviews route, received over ADS, gives v3 weight 0: %s",
            sim.routeChanges())
        .hasSize(calling);
    long firstLowered = lowered.values().stream().min(Long::compare).orElseThrow();
    long allZero = zero.values().stream().max(Long::compare).orElseThrow();
    System.out.printf(
        "fault onset -> first proxy routes less to v3: %.1f s; every one of the %d proxies calling"
            + " reviews routes 0 to v3: %.1f s%n",
        (firstLowered - onset) / 1000.0, calling, (allZero - onset) / 1000.0);

    // The traffic split the proxies produced: v3's share of reviews requests, per whole second.
    int onsetSecond = (int) ((onset - sim.startEpochMs()) / 1000);
    int shiftedSecond = (int) ((allZero - sim.startEpochMs() + 999) / 1000);
    double before = canaryShare(sim, Math.max(0, onsetSecond - 10), onsetSecond);
    double after = canaryShare(sim, shiftedSecond, shiftedSecond + 3);
    System.out.printf(
        "v3 share of reviews requests: %.1f %% in the 10 s before the fault, %.2f %% in the 3 s"
            + " after the shift reached every proxy%n",
        before * 100, after * 100);
    assertThat(before).as("v3 share of reviews traffic before the fault").isGreaterThan(0.05);
    assertThat(after).as("v3 share of reviews traffic after the shift").isLessThan(0.01);
  }

  private static int subsetWeight(Map<String, Integer> route, String subset) {
    int weight = 0;
    for (Map.Entry<String, Integer> e : route.entrySet()) {
      if (ClusterName.parse(e.getKey()).map(c -> c.subset().equals(subset)).orElse(false)) {
        weight += e.getValue();
      }
    }
    return weight;
  }

  /** v3's share of the requests to reviews in seconds [from, to) of the run. */
  private static double canaryShare(SimulationReport sim, int from, int to) {
    long canary = 0;
    long all = 0;
    for (SimulationReport.EndpointSeries e : sim.endpoints()) {
      if (!e.service().equals(CANARY_SERVICE)) {
        continue;
      }
      long[] perSecond = e.requestsPerSecond();
      for (int i = from; i < Math.min(to, perSecond.length); i++) {
        all += perSecond[i];
        canary += e.subset().equals(CANARY) ? perSecond[i] : 0;
      }
    }
    assertThat(all).as("reviews requests in seconds %d..%d of the run", from, to).isPositive();
    return (double) canary / all;
  }
}
