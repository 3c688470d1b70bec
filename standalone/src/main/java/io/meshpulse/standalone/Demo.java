package io.meshpulse.standalone;

import io.meshpulse.model.Topics;
import io.meshpulse.sim.Simulation;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Durations;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ./meshpulse demo}: the platform and a simulated mesh with a fault, then a report. */
final class Demo {
  private static final Logger logger = LoggerFactory.getLogger(Demo.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

  private final LaunchOptions options;
  private final PrintStream out;

  Demo(LaunchOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs the demo and returns its report; writes it to {@code --report} when given. */
  DemoReport run(PlatformOptions.Builder platformOptions, Path dataDir) throws Exception {
    Scenario scenario = ScenarioLoader.load(options.scenario());
    Path topology = dataDir.resolve("topology.yaml");
    Files.createDirectories(dataDir);
    TopologyExport.write(scenario, topology);
    SimulationOptions.Builder sim = SimulationOptions.builder(scenario);
    options.duration().ifPresent(sim::duration);
    if (options.duration().isPresent()
        && scenario.firstFaultAt().isPresent()
        && scenario.firstFaultAt().get().compareTo(options.duration().get()) >= 0) {
      // Checked before the platform starts; the run would otherwise read as the null scenario.
      throw new IllegalArgumentException(
          "--duration "
              + Durations.format(options.duration().get())
              + " ends before scenario "
              + scenario.name()
              + "'s fault starts, at "
              + Durations.format(scenario.firstFaultAt().get()));
    }
    try (Platform platform = Platform.start(platformOptions.topology(topology).build());
        HealthWatcher watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC())) {
      out.printf(
          "meshpulse platform ready in %.1f s: collector %s, ADS %s, API %s, Kafka %s%n",
          platform.startupTime().toMillis() / 1000.0,
          platform.collectorTarget(),
          platform.adsTarget(),
          platform.xdsHttpUrl(),
          platform.kafkaBootstrap());
      DemoReport report = simulate(platform, watcher, sim);
      out.print(report.summary());
      if (options.report().isPresent()) {
        Path file = options.report().get();
        Files.writeString(file, report.toJson(), StandardCharsets.UTF_8);
        out.println("report written to " + file.toAbsolutePath());
      }
      return report;
    }
  }

  /**
   * Runs one simulation against a running platform and reports on it. Counts are taken as
   * differences, so several simulations can run one after the other on one platform.
   */
  DemoReport simulate(Platform platform, HealthWatcher watcher, SimulationOptions.Builder sim)
      throws Exception {
    long recordsBefore;
    try (Admin admin = platform.kafka().admin()) {
      recordsBefore = countRecords(admin);
    }
    long decisionsBefore = watcher.decisions();
    long healthBefore = watcher.healthRecords();
    long notHealthyBefore = watcher.notHealthyRecords();
    sim.collector(platform.collectorTarget()).ads(platform.adsTarget());
    SimulationReport simReport;
    try (Simulation simulation = Simulation.start(sim.build())) {
      simReport = follow(simulation, watcher);
    }
    long inKafka = awaitRecords(platform, recordsBefore + simReport.recordsSent()) - recordsBefore;
    return report(
        simReport,
        inKafka,
        watcher,
        new RunCounts(
            watcher.decisions() - decisionsBefore,
            watcher.healthRecords() - healthBefore,
            watcher.notHealthyRecords() - notHealthyBefore),
        platform.startupTime());
  }

  /** What the watcher read during one simulation. */
  private record RunCounts(long decisions, long healthRecords, long notHealthyRecords) {}

  private SimulationReport follow(Simulation simulation, HealthWatcher watcher)
      throws InterruptedException {
    String name = simulation.scenario().name();
    while (!simulation.isDone()) {
      if (options.ui()) {
        out.print(
            TerminalView.render(
                name,
                simulation.progress(),
                simulation.snapshot(),
                watcher::health,
                watcher.recentDecisions()));
      } else {
        out.println(simulation.progress().line() + " decisions=" + watcher.decisions());
      }
      out.flush();
      try {
        simulation.awaitCompletion(Duration.ofSeconds(1));
      } catch (TimeoutException stillRunning) {
        // redraw once a second
      }
    }
    return simulation.awaitCompletion();
  }

  private static DemoReport report(
      SimulationReport sim,
      long inKafka,
      HealthWatcher watcher,
      RunCounts counts,
      Duration startup) {
    Long onset = sim.faultOnsetEpochMs();
    @Nullable Double firstScoreChange = null;
    if (onset != null) {
      firstScoreChange =
          watcher
              .firstNotHealthy(sim.faultyEndpoints(), onset)
              .map(t -> (t - onset) / 1000.0)
              .orElse(null);
    }
    return new DemoReport(
        sim.scenario(),
        sim.recordsSent(),
        inKafka,
        Math.max(0, sim.recordsSent() - inKafka),
        onset,
        firstScoreChange,
        sim.allProxiesReactionSeconds(),
        sim.firstProxyReactionSeconds(),
        sim.falseActions(),
        sim.faultyTrafficShareBefore(),
        sim.faultyTrafficShareAfter(),
        counts.healthRecords(),
        counts.notHealthyRecords(),
        counts.decisions(),
        watcher.recentDecisions(),
        startup.toMillis() / 1000.0,
        sim);
  }

  /** Waits until the collector has written what the proxies sent (or the drain timeout). */
  private static long awaitRecords(Platform platform, long expected) throws Exception {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    long count = 0;
    try (Admin admin = platform.kafka().admin()) {
      while (System.nanoTime() < deadline) {
        count = countRecords(admin);
        if (count >= expected) {
          break;
        }
        Thread.sleep(200);
      }
    }
    if (count < expected) {
      logger.warn("collector drain timed out expected={} inKafka={}", expected, count);
    }
    return count;
  }

  private static long countRecords(Admin admin) throws Exception {
    List<TopicPartition> partitions =
        admin
            .describeTopics(List.of(Topics.ACCESS_RECORDS))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .get(Topics.ACCESS_RECORDS)
            .partitions()
            .stream()
            .map(p -> new TopicPartition(Topics.ACCESS_RECORDS, p.partition()))
            .toList();
    Map<TopicPartition, OffsetSpec> latest =
        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
    Map<TopicPartition, OffsetSpec> earliest =
        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest()));
    long end =
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
            .mapToLong(r -> r.offset())
            .sum();
    long begin =
        admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS).values().stream()
            .mapToLong(r -> r.offset())
            .sum();
    return end - begin;
  }

  static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      logger.debug("cannot delete {}", dir, e);
    }
  }
}
