package io.meshpulse.sim;

import io.meshpulse.sim.scenario.Durations;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioException;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code SimMain --scenario NAME|FILE [--collector HOST:PORT] [--ads HOST:PORT] [--no-xds]
 * [--duration 60s] [--fault-at 30s] [--seed N] [--report FILE] [--export-topology FILE
 * [--export-only]]}: runs the simulated fleet, prints a progress line every second and a summary at
 * the end. Exit code 0 when the run completed, 2 on bad arguments, 1 when it failed. With {@code
 * --export-only} it writes the scenario's topology file and exits without running, so that a
 * platform can be started on that file first.
 */
public final class SimMain {
  static final String USAGE =
      "usage: mesh-sim --scenario NAME|FILE [--collector HOST:PORT] [--ads HOST:PORT] [--no-xds]\n"
          + "               [--duration 60s] [--fault-at 30s] [--seed N] [--report FILE]"
          + " [--export-topology FILE [--export-only]]\n"
          + "  built-in scenarios: "
          + String.join(", ", ScenarioLoader.BUILT_IN)
          + "\n"
          + "  defaults: --collector 127.0.0.1:19000 --ads 127.0.0.1:18000";

  private SimMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /** Parsed command line. */
  record Args(
      Scenario scenario,
      String collector,
      String ads,
      boolean noXds,
      Duration duration,
      Duration faultAt,
      Long seed,
      Path report,
      Path exportTopology,
      boolean exportOnly) {}

  static int run(String[] argv, PrintStream out, PrintStream err) throws InterruptedException {
    SimulationOptions options;
    Args a;
    try {
      a = parse(argv);
      SimulationOptions.Builder b =
          SimulationOptions.builder(a.scenario())
              .collector(a.collector())
              .ads(a.noXds() ? null : a.ads());
      if (a.duration() != null) {
        b.duration(a.duration());
      }
      if (a.faultAt() != null) {
        b.faultAt(a.faultAt());
      }
      if (a.seed() != null) {
        b.seed(a.seed());
      }
      options = b.build();
    } catch (IllegalArgumentException | ScenarioException e) {
      err.println("mesh-sim: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options == null) {
      out.println(USAGE);
      return 0;
    }
    try {
      if (a.exportTopology() != null) {
        TopologyExport.write(options.effectiveScenario(), a.exportTopology());
        out.println("topology written to " + a.exportTopology());
        if (a.exportOnly()) {
          return 0;
        }
      }
      Simulation sim = Simulation.start(options);
      // Ctrl-C stops the simulation, then waits for the summary and the report to be written
      // (the JVM halts as soon as the hook returns).
      java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      sim.stop();
                      written.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      try {
        return runToEnd(sim, a, out);
      } finally {
        written.countDown();
      }
    } catch (IOException | RuntimeException e) {
      err.println("mesh-sim: failed: " + e);
      return 1;
    }
  }

  private static int runToEnd(Simulation sim, Args a, PrintStream out)
      throws IOException, InterruptedException {
    while (!sim.isDone()) {
      Thread.sleep(1000);
      if (!sim.isDone()) {
        out.println(sim.progress().line());
      }
    }
    SimulationReport report = sim.awaitCompletion();
    out.println(report.summary());
    if (a.report() != null) {
      Path parent = a.report().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(a.report(), report.toJson());
      out.println("report written to " + a.report());
    }
    return 0;
  }

  static Args parse(String[] argv) {
    String scenario = null;
    String collector = "127.0.0.1:19000";
    String ads = "127.0.0.1:18000";
    boolean noXds = false;
    Duration duration = null;
    Duration faultAt = null;
    Long seed = null;
    Path report = null;
    Path topology = null;
    boolean exportOnly = false;
    List<String> rest = new ArrayList<>(List.of(argv));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      switch (flag) {
        case "--scenario" -> scenario = value(flag, rest);
        case "--collector" -> collector = value(flag, rest);
        case "--ads" -> ads = value(flag, rest);
        case "--no-xds" -> noXds = true;
        case "--duration" -> duration = Durations.parse(value(flag, rest));
        case "--fault-at" -> faultAt = Durations.parse(value(flag, rest));
        case "--seed" -> {
          String v = value(flag, rest);
          try {
            seed = Long.parseLong(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed needs an integer, got '" + v + "'");
          }
        }
        case "--report" -> report = Path.of(value(flag, rest));
        case "--export-topology" -> topology = Path.of(value(flag, rest));
        case "--export-only" -> exportOnly = true;
        default -> throw new IllegalArgumentException("unknown argument '" + flag + "'");
      }
    }
    if (scenario == null) {
      throw new IllegalArgumentException("--scenario is required");
    }
    if (exportOnly && topology == null) {
      throw new IllegalArgumentException("--export-only needs --export-topology FILE");
    }
    return new Args(
        ScenarioLoader.load(scenario),
        collector,
        ads,
        noXds,
        duration,
        faultAt,
        seed,
        report,
        topology,
        exportOnly);
  }

  private static String value(String flag, List<String> rest) {
    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return rest.remove(0);
  }
}
