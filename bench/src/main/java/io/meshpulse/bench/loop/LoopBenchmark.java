package io.meshpulse.bench.loop;

import io.meshpulse.bench.Benchmark;
import io.meshpulse.bench.Settings;
import io.meshpulse.sim.Simulation;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.outlier.OutlierDetectionConfig;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.standalone.LoopHarness;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * {@code ./meshpulse bench loop}: every built-in scenario × {meshpulse, Envoy outlier detection} ×
 * R seeds. Settings (system properties {@code meshpulse.bench.loop.*}): {@code seeds} (5), {@code
 * duration} (18 s), {@code fault-at} (9 s), {@code share-window} (5 s), {@code baseline-horizon}
 * (60 s), {@code scenarios} (all built-ins); system properties {@code meshpulse.health.*} and
 * {@code meshpulse.xds.*} go to the platform's health job and xds-control.
 *
 * <p>The baseline runs first, with no platform, on virtual time (its proxies need no telemetry and
 * no control plane; each run takes about a second, and its figures do not depend on the machine's
 * load, so the platform starts meanwhile). meshpulse then runs on one platform started once
 * (embedded Kafka, collector, Flink job, xds-control), one run after the other in real time; every
 * run's mesh gets services of its own names, so no health window, ejection or ejection budget of an
 * earlier run carries over, without restarting anything.
 */
public final class LoopBenchmark implements Benchmark {
  static final String MESHPULSE = "meshpulse";
  static final String ENVOY_OD = "envoy-od";
  static final String ISTIO_OD = "envoy-od as Istio sets it";

  /**
   * Outlier detection as Istio configures it from a DestinationRule: Envoy's defaults without
   * success-rate ejection, which Istio never enforces.
   */
  static final OutlierDetectionConfig ISTIO_DEFAULTS =
      OutlierDetectionConfig.envoyDefaults().withEnforcingSuccessRate(0);

  private final int seeds = Integer.getInteger("meshpulse.bench.loop.seeds", 5);
  private final Duration duration = duration("duration", "18s");
  private final Duration faultAt = duration("fault-at", "9s");
  private final Duration shareWindow = duration("share-window", "5s");
  private final Duration baselineHorizon = duration("baseline-horizon", "60s");
  private final Map<String, String> settings =
      Settings.fromSystemProperties(Settings.HEALTH_PREFIX, Settings.XDS_PREFIX);
  private final List<String> scenarios =
      List.of(
          System.getProperty(
                  "meshpulse.bench.loop.scenarios", String.join(",", ScenarioLoader.BUILT_IN))
              .split(","));

  private static Duration duration(String key, String fallback) {
    return io.meshpulse.sim.scenario.Durations.parse(
        System.getProperty("meshpulse.bench.loop." + key, fallback));
  }

  @Override
  public String name() {
    return "loop";
  }

  String longBaseline() {
    return ENVOY_OD + " (" + baselineHorizon.toSeconds() + " s run)";
  }

  @Override
  public String description() {
    return String.format(
        Locale.ROOT,
        "Decision quality of the closed loop against Envoy's outlier detection. Scenarios: %s"
            + " (docs/simulator.md), each run %d s with the fault at %d s, seeds 1..%d."
            + " **meshpulse**: the whole platform in one JVM (embedded Kafka, collector, Flink"
            + " health job, xds-control; %s) started once; the simulated proxies"
            + " send ALS/metrics and follow ADS in real time; each run gets its own service names"
            + " so nothing carries over between runs. **%s**: the same proxies, no platform, each"
            + " running Envoy's outlier detection with outlier_detection.proto's defaults"
            + " (consecutive 5xx 5, success rate every 10 s below mean − 1.9 σ with ≥ 100"
            + " requests per host and ≥ 5 hosts, failure percentage and gateway failures not"
            + " enforced, 30 s base ejection, max 10 %% ejected) on its own traffic over the"
            + " whole-service cluster (all 10 reviews endpoints), on virtual time; **%s**: the"
            + " same without success-rate ejection (enforcing_success_rate 0), as Istio sets"
            + " outlier detection from a DestinationRule, so that a healthy host's few errors"
            + " cannot take the one ejection max_ejection_percent allows; **%s** gives"
            + " the baseline a longer run to show detections slower than the %d s after onset."
            + " Recall = runs where every proxy calling the faulty service took traffic away from"
            + " the faulty endpoint(s) before the run ended. Reaction = onset → the last proxy's"
            + " first reaction: for meshpulse often a first bounded weight step (a DEGRADED"
            + " endpoint's weight lowered), for Envoy an ejection. Removal = onset → the last"
            + " reacting proxy's first removal of the fault (the endpoint ejected, or its subset's"
            + " route weight taken to 0), the same event for both systems; \"(k of n)\" when only"
            + " k of the n detected runs removed it before the run ended. Percentiles are"
            + " nearest-rank over the runs: with 5 runs p99 is the slowest run, an estimate of"
            + " about the 83rd percentile, not of the 99th. Faulty share ="
            + " requests to the faulty endpoint(s) / to the service, %d s before onset → %d s"
            + " after every proxy reacted (or the last %d s when not all did); medians over runs."
            + " False ejections = traffic-reducing changes to healthy endpoints summed over the"
            + " runs (a meshpulse push counts once for all proxies, an Envoy ejection once per"
            + " proxy). Changes per fault = the most state changes one proxy applied to the faulty"
            + " endpoints after onset: consecutive pushes moving the same way (bounded weight steps"
            + " down, then an ejection) count as one, each reversal while the fault lasts as one"
            + " more (route-weight changes count only for a proxy that changed no faulty endpoint:"
            + " meshpulse's route weights follow its endpoint states; max over runs). They are"
            + " counted in the %d s after onset: an ejection's end (30 s) and the re-admission"
            + " after it fall outside meshpulse's runs; the %s rows show Envoy's.",
        String.join(", ", scenarios),
        duration.toSeconds(),
        faultAt.toSeconds(),
        seeds,
        Settings.describe(settings),
        ENVOY_OD,
        ISTIO_OD,
        longBaseline(),
        duration.minus(faultAt).toSeconds(),
        shareWindow.toSeconds(),
        shareWindow.toSeconds(),
        shareWindow.toSeconds(),
        duration.minus(faultAt).toSeconds(),
        longBaseline());
  }

  @Override
  public List<String> run(PrintStream progress) throws Exception {
    long begin = System.nanoTime();
    String loadBefore = loadAverage();
    List<RunMetrics> runs = new ArrayList<>();
    List<RunMetrics> meshpulse = new ArrayList<>();
    Path dataDir = Files.createTempDirectory("meshpulse-bench-loop-");
    // the platform starts while the baseline runs: those are on virtual time, so what the machine
    // does meanwhile cannot change their figures, only how long they take
    CompletableFuture<LoopHarness> starting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return LoopHarness.start(
                    dataDir, ScenarioLoader.builtIn(scenarios.get(0)), settings);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    for (int seed = 1; seed <= seeds; seed++) {
      for (String name : scenarios) {
        OutlierDetectionConfig envoy = OutlierDetectionConfig.envoyDefaults();
        runs.add(baseline(name, seed, duration, ENVOY_OD, envoy, progress));
        runs.add(baseline(name, seed, duration, ISTIO_OD, ISTIO_DEFAULTS, progress));
        runs.add(baseline(name, seed, baselineHorizon, longBaseline(), envoy, progress));
      }
    }
    double startup;
    try (LoopHarness harness = starting.join()) {
      startup = harness.startupTime().toMillis() / 1000.0;
      progress.printf(Locale.ROOT, "platform ready in %.1f s%n", startup);
      int index = 0;
      for (int seed = 1; seed <= seeds; seed++) {
        for (String name : scenarios) {
          meshpulse.add(closedLoop(harness, name, seed, ++index, progress));
        }
      }
    } finally {
      deleteQuietly(dataDir);
    }
    runs.addAll(meshpulse);
    runs.sort(
        Comparator.comparing((RunMetrics m) -> scenarios.indexOf(m.scenario()))
            .thenComparing(m -> systemOrder(m.system())));
    List<String> lines = new ArrayList<>(LoopTable.markdown(LoopTable.rows(runs)));
    lines.add("");
    lines.addAll(targets(meshpulse));
    lines.add("");
    lines.addAll(baselineFaster(LoopTable.rows(runs)));
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "Wall time %.0f s (platform start %.1f s); load average before %s, after %s.",
            (System.nanoTime() - begin) / 1e9,
            startup,
            loadBefore,
            loadAverage()));
    return lines;
  }

  private int systemOrder(String system) {
    return system.equals(MESHPULSE)
        ? 0
        : system.equals(ENVOY_OD) ? 1 : system.equals(ISTIO_OD) ? 2 : 3;
  }

  private SimulationOptions.Builder options(Scenario scenario, long seed, Duration length) {
    return SimulationOptions.builder(scenario)
        .duration(length)
        .faultAt(faultAt)
        .seed(seed)
        .shareWindow(shareWindow);
  }

  private RunMetrics baseline(
      String name,
      long seed,
      Duration length,
      String system,
      OutlierDetectionConfig config,
      PrintStream progress)
      throws InterruptedException {
    SimulationReport r =
        Simulation.start(
                options(ScenarioLoader.builtIn(name), seed, length)
                    .outlierDetection(config)
                    .virtualTime()
                    .build())
            .awaitCompletion();
    RunMetrics m = RunMetrics.of(system, r, List.of());
    progress.println(line(m));
    return m;
  }

  private RunMetrics closedLoop(
      LoopHarness harness, String name, long seed, int index, PrintStream progress) {
    Scenario scenario =
        ScenarioLoader.builtIn(name).withServiceSuffix(String.format(Locale.ROOT, "-r%02d", index));
    try {
      LoopHarness.Run run = harness.run(scenario, options(scenario, seed, duration));
      RunMetrics first = RunMetrics.of(MESHPULSE, run.simulation(), List.of());
      List<String> notes = new ArrayList<>();
      if (run.recordsLost() > 0) {
        notes.add(run.recordsLost() + " access records lost");
      }
      if (missed(first)) {
        List<String> log = run.decisionLog();
        if (first.falseEjections() > 0) {
          // a decision against a healthy endpoint may come at any time: the log from its start
          notes.add(run.decisions() + " routing decisions during the run; the first:");
          log.subList(0, Math.min(log.size(), 12)).forEach(notes::add);
        } else {
          notes.add(run.decisions() + " routing decisions during the run; the last:");
          log.subList(Math.max(0, log.size() - 4), log.size()).forEach(notes::add);
        }
      }
      RunMetrics m = RunMetrics.of(MESHPULSE, run.simulation(), notes);
      progress.println(line(m));
      return m;
    } catch (Exception e) {
      progress.printf("meshpulse %s seed %d failed: %s%n", name, seed, e);
      return RunMetrics.failed(name, MESHPULSE, seed, "run failed: " + e);
    }
  }

  /**
   * The one-sided 95 % Wilson score lower bound of a proportion of {@code k} in {@code n}: what
   * recall the runs show with confidence (30 of 30 shows about 92 %, not 100 %); 0 without runs.
   */
  static double wilsonLowerBound(long k, long n) {
    if (n == 0) {
      return 0;
    }
    double z = 1.6449;
    double p = (double) k / n;
    double z2 = z * z;
    double centre = p + z2 / (2 * n);
    double margin = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return (centre - margin) / (1 + z2 / n);
  }

  /** Whether a meshpulse run misses one of issue 9's targets. */
  static boolean missed(RunMetrics m) {
    return (m.hasFault() && !m.detected())
        || m.falseEjections() > 0
        || m.changesPerFault() > 1
        || (m.reactionSeconds() != null && m.reactionSeconds() > 2.0);
  }

  static List<String> targets(List<RunMetrics> meshpulse) {
    List<String> out = new ArrayList<>();
    List<RunMetrics> faults = meshpulse.stream().filter(RunMetrics::hasFault).toList();
    long detected = faults.stream().filter(RunMetrics::detected).count();
    double recall = faults.isEmpty() ? 1.0 : (double) detected / faults.size();
    int nullFalse =
        meshpulse.stream()
            .filter(m -> m.scenario().equals("null"))
            .mapToInt(RunMetrics::falseEjections)
            .sum();
    int allFalse = meshpulse.stream().mapToInt(RunMetrics::falseEjections).sum();
    int maxChanges = faults.stream().mapToInt(RunMetrics::changesPerFault).max().orElse(0);
    Double p99 =
        LoopTable.percentile(
            faults.stream()
                .filter(RunMetrics::detected)
                .map(RunMetrics::reactionSeconds)
                .filter(Objects::nonNull)
                .toList(),
            0.99);
    out.add("meshpulse against the targets of issue 9, over all scenarios and seeds:");
    out.add("");
    out.add(
        String.format(
            Locale.ROOT,
            "- recall ≥ 99 %%: %.1f %% (%d/%d; one-sided 95 %% lower bound %.1f %%) — %s",
            recall * 100,
            detected,
            faults.size(),
            wilsonLowerBound(detected, faults.size()) * 100,
            recall >= 0.99 ? "met" : "**missed**"));
    out.add(
        String.format(
            Locale.ROOT,
            "- 0 false ejections in the null scenario: %d (all scenarios: %d) — %s",
            nullFalse,
            allFalse,
            nullFalse == 0 ? "met" : "**missed**"));
    out.add(
        String.format(
            Locale.ROOT,
            "- ≤ 1 state change per fault: max %d — %s",
            maxChanges,
            maxChanges <= 1 ? "met" : "**missed**"));
    out.add(
        String.format(
            Locale.ROOT,
            "- p99 reaction ≤ 2 s: %s s — %s",
            LoopTable.seconds(p99),
            p99 != null && p99 <= 2.0 ? "met" : "**missed**"));
    Double removalP99 =
        LoopTable.percentile(
            faults.stream().map(RunMetrics::removalSeconds).filter(Objects::nonNull).toList(),
            0.99);
    long removed = faults.stream().filter(m -> m.removalSeconds() != null).count();
    out.add(
        String.format(
            Locale.ROOT,
            "  - removal (the faulty endpoint or subset out of every reacting proxy's rotation,"
                + " the event Envoy's ejection is): p99 %s s, in %d of %d detected runs",
            LoopTable.seconds(removalP99),
            removed,
            detected));
    List<LoopTable.Row> rows = LoopTable.rows(faults);
    if (rows.size() > 1) {
      out.add(
          "  - per scenario: "
              + String.join(
                  ", ",
                  rows.stream()
                      .map(
                          r ->
                              r.scenario()
                                  + " "
                                  + LoopTable.seconds(r.reactionP99())
                                  + (r.reactionP99() != null && r.reactionP99() <= 2.0
                                      ? " (met)"
                                      : " (missed)"))
                      .toList()));
    }
    List<RunMetrics> misses = meshpulse.stream().filter(LoopBenchmark::missed).toList();
    if (!misses.isEmpty()) {
      out.add("");
      out.add("meshpulse runs that missed a target (decision log excerpts):");
      out.add("");
      for (RunMetrics m : misses) {
        out.add(
            String.format(
                Locale.ROOT,
                "- %s seed %d: detected %s, reaction %s s, false ejections %d, changes %d",
                m.scenario(),
                m.seed(),
                m.hasFault() ? String.valueOf(m.detected()) : "n/a",
                LoopTable.seconds(m.reactionSeconds()),
                m.falseEjections(),
                m.changesPerFault()));
        m.notes().forEach(n -> out.add("  - `" + n.replace('`', '\'') + "`"));
      }
    }
    return out;
  }

  /**
   * Where Envoy's outlier detection (the runs as long as meshpulse's: Envoy's defaults, and as
   * Istio sets it) reacts sooner than meshpulse: its first proxy, or its last, at a smaller median
   * time after onset. Only scenarios in which every proxy reacted in at least one of its runs
   * count: where it never did (latency, overload), a proxy's early ejection of the faulty endpoint
   * is one of its ejections of random endpoints.
   */
  static List<String> baselineFaster(List<LoopTable.Row> rows) {
    List<String> out = new ArrayList<>();
    out.add(
        "Where Envoy's outlier detection reacts sooner (medians over the runs; scenarios in which"
            + " every proxy reacted in at least one run):");
    out.add("");
    int before = out.size();
    for (LoopTable.Row mp : rows) {
      if (!mp.system().equals(MESHPULSE) || mp.faultRuns() == 0) {
        continue;
      }
      for (String baseline : List.of(ENVOY_OD, ISTIO_OD)) {
        rows.stream()
            .filter(r -> r.scenario().equals(mp.scenario()) && r.system().equals(baseline))
            .findFirst()
            .filter(od -> od.detected() > 0)
            .filter(
                od ->
                    sooner(od.firstProxyP50(), mp.firstProxyP50())
                        || sooner(od.reactionP50(), mp.reactionP50()))
            .ifPresent(od -> out.add(soonerLine(mp, od)));
      }
    }
    if (out.size() == before) {
      out.add("- nowhere: in no scenario does its first or its last proxy react sooner");
    }
    return out;
  }

  private static String soonerLine(LoopTable.Row mp, LoopTable.Row od) {
    return String.format(
        Locale.ROOT,
        "- %s, %s: the first proxy reacts at %s s (meshpulse %s s); every proxy reacted"
            + " in %d of %d runs, at %s s (meshpulse %d of %d, %s s)",
        mp.scenario(),
        od.system(),
        LoopTable.seconds(od.firstProxyP50()),
        LoopTable.seconds(mp.firstProxyP50()),
        od.detected(),
        od.faultRuns(),
        LoopTable.seconds(od.reactionP50()),
        mp.detected(),
        mp.faultRuns(),
        LoopTable.seconds(mp.reactionP50()));
  }

  private static boolean sooner(@Nullable Double baseline, @Nullable Double meshpulse) {
    return baseline != null && (meshpulse == null || baseline < meshpulse);
  }

  private static String line(RunMetrics m) {
    return String.format(
        Locale.ROOT,
        "%-24s %-22s seed %d: detected=%s reaction=%s s first=%s s removal=%s s share %s -> %s"
            + " falseEjections=%d changes=%d requests=%d",
        m.scenario(),
        m.system(),
        m.seed(),
        m.hasFault() ? m.detected() : "n/a",
        LoopTable.seconds(m.reactionSeconds()),
        LoopTable.seconds(m.firstProxySeconds()),
        LoopTable.seconds(m.removalSeconds()),
        LoopTable.percent(m.shareBefore()),
        LoopTable.percent(m.shareAfter()),
        m.falseEjections(),
        m.changesPerFault(),
        m.requests());
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " / " + parts[1] + " / " + parts[2] + " (1/5/15 min)";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
