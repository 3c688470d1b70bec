package io.meshpulse.bench.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.Simulation;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.outlier.OutlierDetectionConfig;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Run figures and their summary, from real (virtual-time) baseline runs of the simulator. */
class LoopMetricsTest {

  /** Envoy's defaults without success-rate ejection: nothing but the run of errors ejects. */
  static final OutlierDetectionConfig CONSECUTIVE_ONLY = LoopBenchmark.ISTIO_DEFAULTS;

  static SimulationReport baseline(String scenario, long seed) throws InterruptedException {
    return baseline(scenario, seed, OutlierDetectionConfig.envoyDefaults());
  }

  static SimulationReport baseline(String scenario, long seed, OutlierDetectionConfig config)
      throws InterruptedException {
    return Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn(scenario))
                .duration(Duration.ofSeconds(18))
                .faultAt(Duration.ofSeconds(9))
                .seed(seed)
                .shareWindow(Duration.ofSeconds(5))
                .outlierDetection(config)
                .virtualTime()
                .build())
        .awaitCompletion();
  }

  static RunMetrics run(String scenario, String system, boolean detected, double reaction) {
    return new RunMetrics(
        scenario,
        system,
        1,
        !scenario.equals("null"),
        detected,
        detected ? reaction : null,
        detected ? reaction / 2 : null,
        detected ? reaction * 2 : null,
        0.1,
        detected ? 0.0 : 0.1,
        0,
        detected ? 1 : 0,
        1000,
        List.of());
  }

  @Test
  void hardFailureUnderOutlierDetection_isDetectedWithinASecond_withOneChangePerProxy()
      throws Exception {
    RunMetrics m =
        RunMetrics.of("envoy-od", baseline("hard-failure", 2, CONSECUTIVE_ONLY), List.of());

    assertThat(m.hasFault()).as("has a fault").isTrue();
    assertThat(m.reactionSeconds()).as("reaction (s)").isNotNull().isLessThan(1.0);
    assertThat(m.detected()).as("detected").isTrue();
    assertThat(m.changesPerFault()).as("changes per fault").isEqualTo(1);
    assertThat(m.shareBefore()).as("share before").isBetween(0.05, 0.15);
    assertThat(m.shareAfter()).as("share after").isLessThan(0.01);
  }

  @Test
  void removal_isTheEjectionForEnvoy_andTheSameEventForEveryProxy() throws Exception {
    SimulationReport r = baseline("hard-failure", 2, CONSECUTIVE_ONLY);
    RunMetrics m = RunMetrics.of("envoy-od", r, List.of());

    assertThat(m.detected()).as("detected").isTrue();
    assertThat(m.removalSeconds())
        .as("an outlier ejection is a reaction and a removal at once")
        .isEqualTo(m.reactionSeconds());
  }

  @Test
  void recallsLowerBound_isWhatTheRunsShowWithConfidence() {
    assertThat(LoopBenchmark.wilsonLowerBound(30, 30)).as("30 of 30").isBetween(0.91, 0.93);
    assertThat(LoopBenchmark.wilsonLowerBound(0, 10)).as("0 of 10").isZero();
    assertThat(LoopBenchmark.wilsonLowerBound(0, 0)).as("no runs").isZero();
    assertThat(LoopBenchmark.wilsonLowerBound(300, 300)).as("300 of 300").isGreaterThan(0.99);
  }

  @Test
  void falseEjections_countEveryProxysOwnEjectionOfAHealthyEndpoint() throws Exception {
    SimulationReport r = baseline("null", 1);
    RunMetrics m = RunMetrics.of("envoy-od", r, List.of());

    long ejections = r.endpointChanges().stream().filter(c -> c.reducesTraffic()).count();
    assertThat(ejections)
        .as("ejections by Envoy's success-rate rule of hosts with a few errors by chance")
        .isPositive();
    assertThat(m.hasFault()).as("null has no fault").isFalse();
    assertThat(m.detected()).as("nothing to detect").isFalse();
    assertThat(m.falseEjections()).as("false ejections").isEqualTo((int) ejections);
  }

  @Test
  void table_summarisesRecallPercentilesAndFalseEjectionsPerScenarioAndSystem() {
    List<RunMetrics> runs =
        List.of(
            run("hard-failure", "meshpulse", true, 1.0),
            run("hard-failure", "meshpulse", true, 3.0),
            run("hard-failure", "meshpulse", false, 0),
            run("hard-failure", "envoy-od", true, 0.2),
            run("null", "meshpulse", false, 0));
    List<LoopTable.Row> rows = LoopTable.rows(runs);

    assertThat(rows).as("one row per scenario and system").hasSize(3);
    LoopTable.Row mp = rows.get(0);
    assertThat(mp.recall()).as("recall").isEqualTo(2.0 / 3);
    assertThat(mp.reactionP50()).as("p50 of detected runs").isEqualTo(1.0);
    assertThat(mp.reactionP99()).as("p99, nearest rank").isEqualTo(3.0);
    assertThat(rows.get(2).recall()).as("null recall").isNull();
    assertThat(LoopTable.markdown(rows))
        .as("markdown")
        .hasSize(5)
        .element(2)
        .asString()
        .contains(
            "| hard-failure | meshpulse | 3 | 67 % (2/3) | 1.00 | 3.00 | 0.50 | 2.00 / 6.00 |");
  }

  @Test
  void targets_nameEveryMissedTarget() {
    List<String> lines =
        LoopBenchmark.targets(
            List.of(
                run("hard-failure", "meshpulse", true, 2.5),
                run("gray-failure", "meshpulse", false, 0),
                run("null", "meshpulse", false, 0)));

    assertThat(String.join("\n", lines))
        .as("targets")
        .contains("recall ≥ 99 %: 50.0 % (1/2; one-sided 95 % lower bound 12.1 %) — **missed**")
        .contains("0 false ejections in the null scenario: 0 (all scenarios: 0) — met")
        .contains("p99 reaction ≤ 2 s: 2.50 s — **missed**")
        .contains("- gray-failure seed 1: detected false");
  }

  @Test
  void targets_listTheP99OfEveryScenario() {
    List<String> lines =
        LoopBenchmark.targets(
            List.of(
                run("hard-failure", "meshpulse", true, 1.2),
                run("gray-failure", "meshpulse", true, 3.5),
                run("null", "meshpulse", false, 0)));

    assertThat(String.join("\n", lines))
        .as("targets")
        .contains("p99 reaction ≤ 2 s: 3.50 s — **missed**")
        .contains("  - per scenario: hard-failure 1.20 (met), gray-failure 3.50 (missed)");
  }

  @Test
  void baselineFaster_namesTheScenariosWhereEnvoyReactsSooner_andOnlyThose() {
    List<LoopTable.Row> rows =
        LoopTable.rows(
            List.of(
                run("hard-failure", "meshpulse", true, 1.0),
                run("hard-failure", "envoy-od", true, 0.4),
                run("hard-failure", LoopBenchmark.ISTIO_OD, true, 0.6),
                run("gray-failure", "meshpulse", true, 3.0),
                run("gray-failure", "envoy-od", false, 0),
                run("null", "meshpulse", false, 0),
                run("null", "envoy-od", false, 0)));

    List<String> lines = LoopBenchmark.baselineFaster(rows);

    assertThat(lines)
        .as("lines")
        .contains(
            "- hard-failure, envoy-od: the first proxy reacts at 0.20 s (meshpulse 0.50 s); every"
                + " proxy reacted in 1 of 1 runs, at 0.40 s (meshpulse 1 of 1, 1.00 s)",
            "- hard-failure, envoy-od as Istio sets it: the first proxy reacts at 0.30 s"
                + " (meshpulse 0.50 s); every proxy reacted in 1 of 1 runs, at 0.60 s (meshpulse 1"
                + " of 1, 1.00 s)")
        .noneMatch(l -> l.startsWith("- gray-failure"))
        .noneMatch(l -> l.startsWith("- null"));
    assertThat(
            LoopBenchmark.baselineFaster(
                LoopTable.rows(
                    List.of(
                        run("gray-failure", "meshpulse", true, 3.0),
                        run("gray-failure", "envoy-od", false, 0)))))
        .as("when it is nowhere sooner")
        .anyMatch(l -> l.startsWith("- nowhere"));
  }

  @Test
  void boundedStepsInOneDirection_areOneStateChange_andEachReversalAnother() {
    java.util.Map<String, java.util.Set<String>> steps = new java.util.LinkedHashMap<>();
    steps.put("v1", java.util.Set.of("down"));
    steps.put("v2", java.util.Set.of("down"));
    steps.put("v3", java.util.Set.of("down"));
    assertThat(RunMetrics.directionRuns(steps)).as("100 -> 75 -> 50 -> ejected").isEqualTo(1);
    steps.put("v4", java.util.Set.of("up"));
    assertThat(RunMetrics.directionRuns(steps)).as("then weight given back").isEqualTo(2);
    steps.put("v5", java.util.Set.of("down"));
    assertThat(RunMetrics.directionRuns(steps)).as("and taken again").isEqualTo(3);
    assertThat(RunMetrics.directionRuns(new java.util.LinkedHashMap<>())).as("no change").isZero();
  }
}
