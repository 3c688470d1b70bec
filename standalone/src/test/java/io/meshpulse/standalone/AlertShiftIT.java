package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.testing.RequiresTool;
import io.meshpulse.testing.Tools;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private static Path dataDir;
  private static Platform platform;
  private static HealthWatcher watcher;
  private static final List<Process> processes = new ArrayList<>();
  private static int prometheusPort;
  private static int alertmanagerPort;
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
    alertmanagerPort = freePort();
    Path am = Files.createDirectories(dataDir.resolve("alertmanager"));
    Files.writeString(am.resolve("token"), TOKEN);
    String amConfig =
        Files.readString(repo.resolve("dashboards/alertmanager/alertmanager.yml"))
            .replace("http://127.0.0.1:18080", platform.xdsHttpUrl())
            .replace("/etc/meshpulse/alert-webhook-token", am.resolve("token").toString())
            .replaceAll("group_interval: \\d+s", "group_interval: 1s");
    Files.writeString(am.resolve("alertmanager.yml"), amConfig);
    processes.add(
        launch(
            am,
            Tools.require("prometheus-alertmanager").toString(),
            "--config.file=" + am.resolve("alertmanager.yml"),
            "--storage.path=" + am.resolve("data"),
            "--web.listen-address=127.0.0.1:" + alertmanagerPort,
            "--cluster.listen-address="));

    prometheusPort = freePort();
    Path prom = Files.createDirectories(dataDir.resolve("prometheus"));
    // The committed rules, evaluated every second over 10 s windows; the alert expression as is.
    String rules =
        Files.readString(repo.resolve("dashboards/prometheus/meshpulse-rules.yml"))
            .replaceAll("interval: \\d+s", "interval: 1s")
            .replace("[1m]", "[10s]");
    Files.writeString(prom.resolve("rules.yml"), rules);
    String collector = URI.create(platform.collectorHttpUrl()).getAuthority();
    Files.writeString(
        prom.resolve("prometheus.yml"),
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
            .formatted(prom.resolve("rules.yml"), alertmanagerPort, collector));
    processes.add(
        launch(
            prom,
            Tools.require("prometheus").toString(),
            "--config.file=" + prom.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + prom.resolve("data"),
            "--web.listen-address=127.0.0.1:" + prometheusPort,
            "--rules.alert.resend-delay=1s"));
  }

  private static Process launch(Path dir, String... command) throws Exception {
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("log.txt").toFile())
        .start();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      p.waitFor();
    }
    if (watcher != null) {
      watcher.close();
    }
    if (platform != null) {
      platform.close();
    }
    Demo.deleteQuietly(dataDir);
  }

  private static String prometheusUrl(String path) {
    return "http://127.0.0.1:" + prometheusPort + path;
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
    System.out.println("prometheus alerts: " + get(prometheusUrl("/api/v1/alerts")));
    System.out.println(
        "canary error ratio: "
            + get(
                prometheusUrl(
                    "/api/v1/query?query=destination_version:istio_request_error_ratio:rate1m")));
    JsonNode firstShift = null;
    for (JsonNode d : new ObjectMapper().readTree(decisions)) {
      boolean alert = "DECISION_TRIGGER_ALERT".equals(d.path("trigger").asText());
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
  }
}
