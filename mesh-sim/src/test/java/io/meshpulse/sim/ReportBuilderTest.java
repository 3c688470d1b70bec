package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.model.FaultTimeline;
import io.meshpulse.sim.scenario.ProxySpec;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.sim.scenario.ServiceSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {
  static final long START = 1_000_000L;
  static final long ONSET = START + 20_000;
  static final String V1 = "outbound|9080|v1|reviews";
  static final String V2 = "outbound|9080|v2|reviews";
  static final String V3 = "outbound|9080|v3|reviews";

  final Scenario scenario =
      ScenarioLoader.builtIn("bad-canary")
          .withOverrides(Optional.of(Duration.ofSeconds(40)), Optional.of(Duration.ofSeconds(20)));
  final FaultTimeline timeline = new FaultTimeline(scenario);
  final Recorder recorder = new Recorder(scenario, START);
  final List<SimulatedProxy> proxies = new ArrayList<>();

  ReportBuilderTest() {
    Map<String, ServiceSpec> services = new LinkedHashMap<>();
    scenario.services().forEach(s -> services.put(s.name(), s));
    SimulatedProxy.Context ctx =
        new SimulatedProxy.Context(
            services,
            Map.of(),
            timeline,
            recorder,
            Clock.fixed(Instant.ofEpochMilli(START), ZoneOffset.UTC),
            50,
            5_000,
            null,
            System::nanoTime);
    int i = 0;
    for (ProxySpec spec : scenario.proxies()) {
      for (int k = 0; k < spec.count(); k++) {
        proxies.add(new SimulatedProxy(ctx, spec, i++, 42));
      }
    }
  }

  static Map<String, Integer> route(int v1, int v2, int v3) {
    return Map.of(V1, v1, V2, v2, V3, v3);
  }

  /**
   * 10 requests per 100 ms bin to every reviews endpoint in [from, to) run offsets, except to v3
   * after cutoff.
   */
  void traffic(long fromOffset, long toOffset, long v3CutoffEpochMs) {
    ServiceSpec reviews = scenario.service("reviews").orElseThrow();
    for (long t = fromOffset; t < toOffset; t += 100) {
      for (var sub : reviews.subsets()) {
        for (var e : sub.endpoints()) {
          boolean v3 = sub.name().equals("v3");
          if (v3 && START + t >= v3CutoffEpochMs) {
            continue;
          }
          for (int n = 0; n < 10; n++) {
            recorder.endpoint(e.hostPort(), "reviews", sub.name()).record(START + t, false, 20);
          }
        }
      }
    }
  }

  SimulationReport build() {
    return new ReportBuilder(scenario, 42, timeline, recorder, proxies, true, 10_000)
        .build(START + 40_000, new ReportBuilder.Totals(0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void subsetFault_reactionIsTheRouteShiftAwayFromTheCanary_andSharesUseTheDocumentedWindows() {
    List<SimulatedProxy> callers =
        proxies.stream().filter(p -> p.spec().calls().contains("reviews")).toList();
    for (int i = 0; i < callers.size(); i++) {
      recorder.routeChange(
          new RouteChange(
              callers.get(i).id(),
              ONSET + 800 + 100 * i,
              "reviews",
              route(34, 33, 33),
              route(50, 50, 0),
              "9"));
    }
    long allReacted = ONSET + 800 + 100 * (callers.size() - 1);
    traffic(0, 40_000, allReacted);

    SimulationReport r = build();
    assertThat(r.faultOnsetEpochMs()).as("onset").isEqualTo(ONSET);
    assertThat(r.faultyEndpoints())
        .as("the canary's endpoints")
        .containsExactly("127.0.0.1:9109", "127.0.0.1:9110");
    assertThat(r.firstProxyReactionSeconds()).as("first").isEqualTo(0.8);
    assertThat(r.allProxiesReactionSeconds()).as("all").isEqualTo(1.3);
    assertThat(r.proxiesReacted()).as("reacted").isEqualTo(6);
    assertThat(r.faultyTrafficShareBefore()).as("2 of 10 endpoints before").isEqualTo(0.2);
    assertThat(r.faultyTrafficShareAfter()).as("none after every proxy reacted").isEqualTo(0.0);
    assertThat(r.shareAfterWindowStartEpochMs())
        .as("after window starts at the all-proxies reaction")
        .isEqualTo(allReacted);
    assertThat(r.shareAfterWindowEndEpochMs()).as("and lasts N s").isEqualTo(allReacted + 10_000);
    assertThat(r.falseActions()).as("no false action").isZero();
  }

  /** One caller's change to the canary's first endpoint at {@code ONSET + afterMs}. */
  static EndpointChange canaryChange(
      SimulatedProxy caller, long afterMs, int from, int to, String status) {
    return new EndpointChange(
        caller.id(),
        ONSET + afterMs,
        "reviews",
        V3,
        "127.0.0.1:9109",
        from,
        to,
        "HEALTHY",
        status,
        "v" + afterMs,
        true);
  }

  @Test
  void removal_waitsForEveryReactingProxyToStopSendingToTheFault_notForItsFirstWeightStep() {
    List<SimulatedProxy> callers =
        proxies.stream().filter(p -> p.spec().calls().contains("reviews")).toList();
    List<EndpointChange> stepThenEject = new ArrayList<>();
    for (int i = 0; i < callers.size(); i++) {
      stepThenEject.add(canaryChange(callers.get(i), 500 + 100 * i, 100, 75, "HEALTHY"));
    }
    for (int i = 0; i < callers.size() - 1; i++) {
      stepThenEject.add(canaryChange(callers.get(i), 2_000, 75, 75, "UNHEALTHY"));
    }
    recorder.endpointChanges(stepThenEject);
    traffic(0, 40_000, Long.MAX_VALUE);
    SimulatedProxy last = callers.get(callers.size() - 1);

    SimulationReport stepped = build();
    assertThat(stepped.allProxiesReactionSeconds()).as("every caller stepped down").isNotNull();
    assertThat(stepped.allProxiesRemovalSeconds()).as("the last caller only stepped down").isNull();

    recorder.routeChange(
        new RouteChange(
            last.id(), ONSET + 3_000, "reviews", route(34, 33, 33), route(50, 50, 0), "9"));
    assertThat(build().allProxiesRemovalSeconds())
        .as("the last caller's route no longer sends to the fault's subset")
        .isEqualTo(3.0);

    recorder.endpointChanges(List.of(canaryChange(last, 2_500, 75, 75, "UNHEALTHY")));
    assertThat(build().allProxiesRemovalSeconds())
        .as("the last caller's ejection, not the first step")
        .isEqualTo(2.5);
  }

  @Test
  void removal_isAlsoTheRouteNoLongerSendingToTheFaultsSubset() {
    List<SimulatedProxy> callers =
        proxies.stream().filter(p -> p.spec().calls().contains("reviews")).toList();
    for (int i = 0; i < callers.size(); i++) {
      recorder.routeChange(
          new RouteChange(
              callers.get(i).id(),
              ONSET + 1_000 + 400 * i,
              "reviews",
              route(34, 33, 33),
              route(40, 40, 20),
              "8"));
    }
    traffic(0, 40_000, Long.MAX_VALUE);
    assertThat(build().allProxiesRemovalSeconds()).as("only lowered").isNull();

    for (int i = 0; i < callers.size(); i++) {
      recorder.routeChange(
          new RouteChange(
              callers.get(i).id(),
              ONSET + 3_000,
              "reviews",
              route(40, 40, 20),
              route(50, 50, 0),
              "9"));
    }
    assertThat(build().allProxiesRemovalSeconds())
        .as("the canary's share at 0 at every caller")
        .isEqualTo(3.0);
  }

  @Test
  void withoutACompleteReaction_theAfterShareIsTheLastWindowOfTheFault() {
    traffic(0, 40_000, Long.MAX_VALUE);
    recorder.routeChange(
        new RouteChange(
            proxies.get(0).id(), ONSET + 500, "reviews", route(34, 33, 33), route(50, 50, 0), "9"));
    SimulationReport r = build();
    assertThat(r.firstProxyReactionSeconds()).as("one proxy reacted").isEqualTo(0.5);
    assertThat(r.allProxiesReactionSeconds()).as("not all").isNull();
    assertThat(r.shareAfterWindowStartEpochMs())
        .as("last 10 s of the run")
        .isEqualTo(START + 30_000);
    assertThat(r.faultyTrafficShareAfter()).as("unmitigated share").isEqualTo(0.2);
  }

  @Test
  void falseActions_countEachPushOnceAndIgnoreChangesToFaultyEndpointsAfterOnset() {
    for (SimulatedProxy p : proxies) {
      // the same push (version 3) before onset, seen by every proxy: one false action
      recorder.endpointChanges(
          List.of(
              new EndpointChange(
                  p.id(),
                  ONSET - 5_000,
                  "reviews",
                  V1,
                  "127.0.0.1:9101",
                  1,
                  2,
                  "HEALTHY",
                  "HEALTHY",
                  "3",
                  false)));
      // a faulty endpoint after onset: not false
      recorder.endpointChanges(
          List.of(
              new EndpointChange(
                  p.id(),
                  ONSET + 1_000,
                  "reviews",
                  V3,
                  "127.0.0.1:9109",
                  1,
                  1,
                  "HEALTHY",
                  "UNHEALTHY",
                  "4",
                  true)));
    }
    // a faulty endpoint before its fault began: false
    recorder.endpointChanges(
        List.of(
            new EndpointChange(
                proxies.get(0).id(),
                ONSET - 1_000,
                "reviews",
                V3,
                "127.0.0.1:9110",
                1,
                1,
                "HEALTHY",
                "DEGRADED",
                "2",
                false)));
    // a route change on a service without a fault: false, once per version
    for (SimulatedProxy p : proxies.subList(6, 10)) {
      recorder.routeChange(
          new RouteChange(p.id(), ONSET + 2_000, "ratings", Map.of("a", 1), Map.of("a", 2), "5"));
    }
    SimulationReport r = build();
    assertThat(r.falseEndpointActions()).as("distinct false endpoint pushes").isEqualTo(2);
    assertThat(r.falseRouteActions()).as("distinct false route pushes").isEqualTo(1);
    assertThat(r.falseActions()).as("total").isEqualTo(3);
    assertThat(r.falseActionEndpoints())
        .as("which")
        .containsExactly("127.0.0.1:9101", "127.0.0.1:9110");
    assertThat(r.proxiesReacted()).as("the ejection after onset is the reaction").isEqualTo(6);
    assertThat(r.firstProxyReactionSeconds()).as("reaction").isEqualTo(1.0);
  }

  @Test
  void report_roundTripsThroughJson() {
    traffic(0, 2_000, Long.MAX_VALUE);
    SimulationReport r = build();
    SimulationReport back = SimulationReport.fromJson(r.toJson());
    assertThat(back.faultOnsetEpochMs()).as("onset").isEqualTo(r.faultOnsetEpochMs());
    assertThat(back.endpoints().get(0).requestsPerSecond())
        .as("series")
        .containsExactly(r.endpoints().get(0).requestsPerSecond());
    assertThat(r.toJson())
        .as("null fields are written")
        .contains("\"allProxiesReactionSeconds\" : null");
  }
}
