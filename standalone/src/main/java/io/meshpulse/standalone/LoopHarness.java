package io.meshpulse.standalone;

import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The platform started once for many closed-loop runs (the loop benchmark). Each run may bring its
 * own mesh: its topology replaces xds-control's topology file, and the run starts once xds-control
 * serves it. Giving every run services of their own names ({@link Scenario#withServiceSuffix})
 * keeps runs apart: no health window, ejection or ejection budget of an earlier run applies to
 * them, without restarting anything.
 */
public final class LoopHarness implements AutoCloseable {
  private static final Duration TOPOLOGY_TIMEOUT = Duration.ofSeconds(20);

  /** What one closed-loop run did. */
  public record Run(
      SimulationReport simulation,
      long recordsLost,
      long decisions,
      List<String> decisionLog,
      @Nullable Double firstScoreChangeSeconds) {}

  private final Path dataDir;
  private final Path topology;
  private final Platform platform;
  private final HealthWatcher watcher;
  private final Demo demo;
  private final HttpClient http = HttpClient.newHttpClient();

  private LoopHarness(Path dataDir, Scenario first, Map<String, String> settings)
      throws IOException {
    this.dataDir = dataDir;
    this.topology = dataDir.resolve("topology.yaml");
    Files.createDirectories(dataDir);
    TopologyExport.write(first, topology);
    PlatformOptions.Builder options = PlatformOptions.builder(dataDir).randomPorts();
    settings.forEach((name, value) -> options.set(name + "=" + value));
    this.platform = Platform.start(options.topology(topology).build());
    this.watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC());
    this.demo =
        new Demo(
            LaunchOptions.parse(List.of("demo", "--no-ui")),
            new PrintStream(OutputStream.nullOutputStream()));
  }

  /**
   * Starts the platform on random ports with {@code first}'s topology, data under dataDir, and
   * {@code settings} of the health job ({@code meshpulse.health.*}) and xds-control ({@code
   * meshpulse.xds.*}); fails naming a setting that is neither, or no option of the health job.
   */
  public static LoopHarness start(Path dataDir, Scenario first, Map<String, String> settings)
      throws IOException {
    return new LoopHarness(dataDir, first, settings);
  }

  /** The platform the runs share, for tests. */
  Platform platform() {
    return platform;
  }

  public Duration startupTime() {
    return platform.startupTime();
  }

  /**
   * Serves {@code sim}'s scenario as the topology, waits until xds-control has loaded it, then runs
   * the simulation against the platform (collector and ADS set here) and reports on it.
   */
  public Run run(Scenario scenario, SimulationOptions.Builder sim) throws Exception {
    Path next = dataDir.resolve("topology.next.yaml");
    TopologyExport.write(scenario, next);
    Files.move(next, topology, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    awaitServed(scenario);
    DemoReport report = demo.simulate(platform, watcher, sim);
    List<String> log = report.decisionLog();
    int mine = (int) Math.min(log.size(), report.decisions());
    return new Run(
        report.simulation(),
        report.recordsLost(),
        report.decisions(),
        List.copyOf(log.subList(log.size() - mine, log.size())),
        report.firstScoreChangeSeconds());
  }

  /** Waits until xds-control's cluster view names every service of the scenario. */
  private void awaitServed(Scenario scenario) throws Exception {
    long deadline = System.nanoTime() + TOPOLOGY_TIMEOUT.toNanos();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(platform.xdsHttpUrl() + "/api/v1/clusters"))
            .timeout(Duration.ofSeconds(5))
            .build();
    while (true) {
      String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      boolean all =
          scenario.services().stream().allMatch(s -> body.contains("\"" + s.name() + "\""));
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "xds-control did not serve the topology of " + scenario.name() + " in time");
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      watcher.close();
    } finally {
      platform.close();
    }
  }
}
