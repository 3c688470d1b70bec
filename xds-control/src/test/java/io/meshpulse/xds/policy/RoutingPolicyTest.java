package io.meshpulse.xds.policy;

import static io.meshpulse.xds.policy.Fixtures.SERVICE;
import static io.meshpulse.xds.policy.Fixtures.T0;
import static io.meshpulse.xds.policy.Fixtures.degraded;
import static io.meshpulse.xds.policy.Fixtures.health;
import static io.meshpulse.xds.policy.Fixtures.healthy;
import static io.meshpulse.xds.policy.Fixtures.ids;
import static io.meshpulse.xds.policy.Fixtures.table;
import static io.meshpulse.xds.policy.Fixtures.topology;
import static io.meshpulse.xds.policy.Fixtures.unhealthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingPolicyTest {
  private final PolicyConfig config = PolicyConfig.DEFAULTS;
  private final Fixtures.Runner run = new Fixtures.Runner(config, topology(5, "v1"));
  private final List<EndpointId> ids = ids(run.topology);
  private final EndpointId bad = ids.get(2);

  @Test
  void unhealthyWithGoodConfidence_isEjectedOnTheFirstEvaluation() {
    run.step(table(ids, T0, unhealthy(bad, T0)), T0);

    assertThat(run.routing(bad).status())
        .as("status of the unhealthy endpoint")
        .isEqualTo(EndpointStatus.EJECTED);
    assertThat(run.changes())
        .as("changes")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.action()).as("action").isEqualTo(EndpointAction.ENDPOINT_ACTION_EJECT);
              assertThat(c.trigger())
                  .as("trigger")
                  .isEqualTo(DecisionTrigger.DECISION_TRIGGER_HEALTH);
              assertThat(c.reasons()).as("reasons").anyMatch(r -> r.contains("UNHEALTHY"));
            });
    assertThat(run.last.decisions().get(0).inputs()).as("inputs of the decision").hasSize(1);
  }

  @Test
  void unhealthyWithLowConfidence_onlyReducesTheWeight() {
    run.step(table(ids, T0, health(bad, HealthState.HEALTH_STATE_UNHEALTHY, 0.2, 0.4, T0)), T0);

    assertThat(run.routing(bad).status()).as("status").isEqualTo(EndpointStatus.DEGRADED);
    assertThat(run.routing(bad).weight()).as("weight after one step").isEqualTo(75);
  }

  @Test
  void degraded_reducesTheWeightInBoundedSteps() {
    Instant t = T0;
    run.step(table(ids, t, degraded(bad, t)), t);
    assertThat(run.routing(bad).weight()).as("first step").isEqualTo(75);
    t = t.plusMillis(500);
    run.step(table(ids, t, degraded(bad, t)), t);
    assertThat(run.routing(bad).weight())
        .as("no second step within the step interval")
        .isEqualTo(75);
    t = t.plusMillis(600);
    run.step(table(ids, t, degraded(bad, t)), t);
    assertThat(run.routing(bad).weight()).as("second step").isEqualTo(50);
    t = t.plusSeconds(5);
    run.step(table(ids, t, degraded(bad, t)), t);
    assertThat(run.routing(bad).weight()).as("stays at the degraded weight").isEqualTo(50);
  }

  @Test
  void degradedEndpointTurningUnhealthy_isEjectedAtOnce_notAfterTheDwellTime() {
    Instant t = T0;
    run.step(table(ids, t, degraded(bad, t)), t);
    assertThat(run.routing(bad).status()).as("first verdict").isEqualTo(EndpointStatus.DEGRADED);
    t = t.plusMillis(500);
    run.step(table(ids, t, unhealthy(bad, t)), t);
    assertThat(run.routing(bad).status())
        .as("half a second later, now UNHEALTHY with good confidence")
        .isEqualTo(EndpointStatus.EJECTED);
  }

  @Test
  void aHealthyRecordWithinTheDwell_keepsTheDegradedRamp_andTheReasonSaysTheDwellFirst() {
    Instant t = T0;
    run.step(table(ids, t, degraded(bad, t)), t);
    t = t.plusMillis(1100);
    run.step(table(ids, t, healthy(bad, t)), t);
    assertThat(run.routing(bad).status()).as("within the dwell").isEqualTo(EndpointStatus.DEGRADED);
    assertThat(run.changes())
        .as("the change made on the HEALTHY record")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.newWeight()).as("the degraded ramp's second step").isEqualTo(50);
              assertThat(c.reasons().get(0))
                  .as("first reason")
                  .startsWith("dwell: DEGRADED since " + T0)
                  .endsWith("min dwell " + config.minDwell().toMillis() + " ms");
              assertThat(c.reasons()).as("the record's own reason follows").hasSizeGreaterThan(1);
            });
  }

  @Test
  void relapseRightAfterRecovery_waitsForTheDwellTime() {
    Instant t = T0;
    run.step(table(ids, t, degraded(bad, t)), t);
    t = t.plus(config.minDwell());
    run.step(table(ids, t, healthy(bad, t)), t);
    assertThat(run.routing(bad).status()).as("recovered").isEqualTo(EndpointStatus.ACTIVE);
    t = t.plusSeconds(1);
    run.step(table(ids, t, unhealthy(bad, t)), t);
    assertThat(run.routing(bad).status())
        .as("one second after recovering")
        .isEqualTo(EndpointStatus.ACTIVE);
    t = t.plus(config.minDwell());
    run.step(table(ids, t, unhealthy(bad, t)), t);
    assertThat(run.routing(bad).status())
        .as("still unhealthy after the dwell time")
        .isEqualTo(EndpointStatus.EJECTED);
  }

  @Test
  void recovery_needsTheDwellTimeWithoutAnyBadVerdict_soAlternatingRecordsDoNotFlap() {
    Instant t = T0;
    run.step(table(ids, t, degraded(bad, t)), t);
    t = t.plusSeconds(3);
    run.step(table(ids, t, healthy(bad, t)), t);
    t = t.plusSeconds(1);
    run.step(table(ids, t, degraded(bad, t)), t);
    t = t.plusSeconds(2);
    run.step(table(ids, t, healthy(bad, t)), t);
    assertThat(run.routing(bad).status())
        .as("6 s after degrading, but a DEGRADED record 2 s ago")
        .isEqualTo(EndpointStatus.DEGRADED);
    t = t.plus(config.minDwell()).minusSeconds(2);
    run.step(table(ids, t, healthy(bad, t)), t);
    assertThat(run.routing(bad).status())
        .as("the dwell time after the last bad verdict")
        .isEqualTo(EndpointStatus.ACTIVE);
  }

  @Test
  void recovery_waitsForTheDwellTime_andAScoreAboveTheHysteresisBand() {
    Instant t = T0;
    run.step(table(ids, t, degraded(bad, t)), t);
    t = t.plusSeconds(2);
    run.step(table(ids, t), t);
    assertThat(run.routing(bad).status())
        .as("within the dwell time")
        .isEqualTo(EndpointStatus.DEGRADED);
    t = t.plusSeconds(4);
    run.step(table(ids, t, health(bad, HealthState.HEALTH_STATE_HEALTHY, 0.85, 0.9, t)), t);
    assertThat(run.routing(bad).status())
        .as("HEALTHY at 0.85: above degraded-below (0.8), below recover-min-score (0.9)")
        .isEqualTo(EndpointStatus.DEGRADED);
    run.step(table(ids, t, healthy(bad, t)), t);
    assertThat(run.routing(bad).status())
        .as("healthy after the dwell")
        .isEqualTo(EndpointStatus.ACTIVE);
  }

  @Test
  void ejection_neverExceedsMaxEjectionPercent_andTheRefusalIsRecordedOnce() {
    EndpointId second = ids.get(4);
    HealthTable health =
        table(
            ids,
            T0,
            health(bad, HealthState.HEALTH_STATE_UNHEALTHY, 0.2, 0.9, T0),
            health(second, HealthState.HEALTH_STATE_UNHEALTHY, 0.1, 0.9, T0));
    run.step(health, T0);

    assertThat(run.ejected()).as("ejected of 5 at 20 %").isEqualTo(1);
    assertThat(run.routing(second).status())
        .as("the worse score is ejected")
        .isEqualTo(EndpointStatus.EJECTED);
    assertThat(run.routing(bad).status())
        .as("the refused one degrades")
        .isEqualTo(EndpointStatus.DEGRADED);
    assertThat(run.routing(bad).ejectionRefused()).as("its ejection refused").isTrue();
    assertThat(run.routing(second).ejectionRefused()).as("the ejected one").isFalse();
    assertThat(run.changes())
        .as("refusal recorded")
        .anyMatch(
            c -> c.id().equals(bad) && c.reasons().stream().anyMatch(r -> r.contains("guardrail")));
    run.step(
        table(ids, T0.plusMillis(100), unhealthyAt(bad, 100), unhealthyAt(second, 100)),
        T0.plusMillis(100));
    assertThat(run.changes())
        .as("no repeated SUPPRESSED change")
        .noneMatch(c -> c.action() == EndpointAction.ENDPOINT_ACTION_SUPPRESSED);
    assertThat(run.routing(bad).ejectionRefused()).as("still refused").isTrue();
    run.step(
        table(ids, T0.plusMillis(200), unhealthyAt(second, 200), healthy(bad, T0.plusMillis(200))),
        T0.plusMillis(200));
    assertThat(run.routing(bad).ejectionRefused())
        .as("no longer wanted ejected: no longer refused")
        .isFalse();
  }

  @Test
  void overrideEjections_stopAtThePanicThreshold() {
    for (int i = 0; i < 3; i++) {
      run.overrides.put(ids.get(i), EndpointOverride.eject("o" + i, ids.get(i), "drain"));
    }
    run.step(table(ids, T0), T0);

    assertThat(run.ejected()).as("ejected of 5 before panic at 50 %").isEqualTo(2);
    assertThat(run.changes())
        .as("override trigger")
        .allMatch(c -> c.trigger() == DecisionTrigger.DECISION_TRIGGER_OVERRIDE);
  }

  @Test
  void overridePin_setsTheWeightAtOnce() {
    run.overrides.put(bad, EndpointOverride.pin("p", bad, 7, "canary"));
    run.step(table(ids, T0, unhealthy(bad, T0)), T0);
    assertThat(run.routing(bad).weight()).as("pinned weight").isEqualTo(7);
    assertThat(run.routing(bad).status())
        .as("pinned endpoints stay in rotation")
        .isEqualTo(EndpointStatus.ACTIVE);
  }

  @Test
  void ejectionTime_growsWithRepeatOffences_andReadmissionRampsTheWeight() {
    Instant t = T0;
    run.step(table(ids, t, unhealthy(bad, t)), t);
    assertThat(run.state.endpoints().get(bad).ejectedUntil())
        .as("first ejection ends")
        .isEqualTo(t.plusSeconds(30));
    t = t.plusSeconds(30);
    run.step(table(ids, t), t);
    assertThat(run.routing(bad).status()).as("re-admitted").isEqualTo(EndpointStatus.ACTIVE);
    assertThat(run.routing(bad).weight()).as("ramp start").isEqualTo(10);
    int previous = 10;
    for (int i = 1; i <= 4; i++) {
      run.step(table(ids, t.plusSeconds(i)), t.plusSeconds(i));
      int w = run.routing(bad).weight();
      assertThat(w - previous).as("ramp step %d", i).isBetween(1, 25);
      previous = w;
    }
    assertThat(previous).as("ramped to neutral").isEqualTo(100);
    t = t.plusSeconds(10);
    run.step(table(ids, t, unhealthy(bad, t)), t);
    assertThat(run.state.endpoints().get(bad).ejectedUntil())
        .as("second ejection lasts twice as long")
        .isEqualTo(t.plusSeconds(60));
  }

  @Test
  void ejectedEndpoint_stillUnhealthyAtExpiry_staysEjected() {
    run.step(table(ids, T0, unhealthy(bad, T0)), T0);
    Instant t = T0.plusSeconds(30);
    run.step(table(ids, t, unhealthy(bad, t)), t);
    assertThat(run.routing(bad).status()).as("still unhealthy").isEqualTo(EndpointStatus.EJECTED);
  }

  @Test
  void staleHealth_returnsTheEndpointToNeutral() {
    run.step(table(ids, T0, degraded(bad, T0)), T0);
    Instant t = T0.plusSeconds(11);
    HealthTable others = table(ids.subList(0, 2), t, degraded(bad, T0));
    for (int i = 0; i < 4; i++) {
      run.step(others, t.plusSeconds(i));
    }
    assertThat(run.routing(bad).status()).as("status").isEqualTo(EndpointStatus.ACTIVE);
    assertThat(run.routing(bad).weight()).as("weight").isEqualTo(100);
    assertThat(run.routing(bad).reasons()).as("reasons").anyMatch(r -> r.contains("stale"));
  }

  @Test
  void silentPipeline_holdsTheRouting_thenRevertsToNeutral() {
    run.step(table(ids, T0, unhealthy(bad, T0)), T0);
    HealthTable frozen = table(ids, T0, unhealthy(bad, T0));
    assertThat(run.policy.mode(frozen, T0.plusSeconds(40), run.state))
        .as("the mode the loop tells the shifts before evaluating")
        .isEqualTo(PolicyMode.HOLD);
    run.step(frozen, T0.plusSeconds(40));
    assertThat(run.state.mode()).as("mode after 40 s of silence").isEqualTo(PolicyMode.HOLD);
    assertThat(run.policy.mode(frozen, T0.plusSeconds(40 + 61), run.state))
        .as("told before the evaluation that reverts")
        .isEqualTo(PolicyMode.REVERT);
    assertThat(run.routing(bad).status())
        .as("held past the ejection time")
        .isEqualTo(EndpointStatus.EJECTED);
    run.step(frozen, T0.plusSeconds(40 + 61));
    assertThat(run.state.mode()).as("mode after the hold time").isEqualTo(PolicyMode.REVERT);
    assertThat(run.routing(bad).status()).as("reverted").isEqualTo(EndpointStatus.ACTIVE);
    assertThat(run.last.decisions().get(0).trigger())
        .as("trigger")
        .isEqualTo(DecisionTrigger.DECISION_TRIGGER_STALENESS);
  }

  @Test
  void dryRun_decidesButServesNeutralRouting() {
    Fixtures.Runner dry =
        new Fixtures.Runner(config.toBuilder().dryRun(true).build(), run.topology);
    dry.step(table(ids, T0, unhealthy(bad, T0)), T0);
    assertThat(dry.routing(bad).status()).as("intended").isEqualTo(EndpointStatus.EJECTED);
    assertThat(dry.last.served().services().get(SERVICE).endpoints())
        .as("served")
        .allMatch(e -> !e.ejected() && e.weight() == 100);
    assertThat(dry.last.decisions().get(0).reasons())
        .as("reasons")
        .anyMatch(r -> r.contains("dry-run"));
  }

  @Test
  void routeWeights_shiftAwayFromASubsetThatLostCapacity() {
    Fixtures.Runner two = new Fixtures.Runner(config, topology(3, "v1", "v2"));
    List<EndpointId> all = ids(two.topology);
    two.step(table(all, T0), T0);
    assertThat(two.last.intended().services().get(SERVICE).subsetWeights())
        .as("even split")
        .containsEntry("v1", 500)
        .containsEntry("v2", 500);
    two.step(
        table(all, T0.plusSeconds(1), unhealthy(all.get(4), T0.plusSeconds(1))), T0.plusSeconds(1));
    assertThat(two.last.intended().services().get(SERVICE).subsetWeights())
        .as("v2 lost a third of its capacity")
        .containsEntry("v1", 600)
        .containsEntry("v2", 400);
    assertThat(two.last.decisions().get(0).routeChanges()).as("route changes").hasSize(2);
  }

  @Test
  void ejections_stopAtTheSubsetsPanicThreshold_notOnlyTheServices() {
    // v1 has 7 endpoints, v2 3: the service may lose 2, but v2's own cluster panics below 2 of 3.
    Fixtures.Runner split = new Fixtures.Runner(config, Fixtures.sized(7, 3));
    List<EndpointId> all = ids(split.topology);
    EndpointId v2a = all.get(7);
    EndpointId v2b = all.get(8);
    EndpointId v1 = all.get(0);
    split.step(
        table(
            all,
            T0,
            health(v2a, HealthState.HEALTH_STATE_UNHEALTHY, 0.1, 0.9, T0),
            health(v2b, HealthState.HEALTH_STATE_UNHEALTHY, 0.2, 0.9, T0),
            health(v1, HealthState.HEALTH_STATE_UNHEALTHY, 0.3, 0.9, T0)),
        T0);

    assertThat(split.routing(v2a).status()).as("v2's worst").isEqualTo(EndpointStatus.EJECTED);
    assertThat(split.routing(v2b).status())
        .as("v2's second would leave 1 of 3 healthy")
        .isEqualTo(EndpointStatus.DEGRADED);
    assertThat(split.routing(v2b).reasons())
        .as("refusal names the subset")
        .anyMatch(r -> r.contains("guardrail") && r.contains("subset v2"));
    assertThat(split.routing(v1).status())
        .as("the service's second ejection goes to v1")
        .isEqualTo(EndpointStatus.EJECTED);
    for (String subset : List.of("v1", "v2")) {
      List<EndpointRouting> members =
          split.last.intended().services().get(SERVICE).endpoints(subset);
      long healthy = members.stream().filter(e -> !e.ejected()).count();
      assertThat(100.0 * healthy / members.size())
          .as("healthy percent of subset %s", subset)
          .isGreaterThanOrEqualTo(config.panicThresholdPercent());
    }
  }

  @Test
  void aSubsetFailingWhole_leavesTheRoute_whenItFitsTheServicesLimit() {
    Fixtures.Runner lone = new Fixtures.Runner(config, Fixtures.sized(8, 2));
    List<EndpointId> all = ids(lone.topology);
    lone.step(table(all, T0, unhealthy(all.get(8), T0), unhealthy(all.get(9), T0)), T0);

    assertThat(lone.ejected()).as("both of v2, 2 of 10 endpoints").isEqualTo(2);
    assertThat(lone.last.intended().services().get(SERVICE).subsetWeights())
        .as("v2 gets no traffic")
        .containsEntry("v1", 1000)
        .containsEntry("v2", 0);

    Fixtures.Runner big = new Fixtures.Runner(config, Fixtures.sized(7, 3));
    List<EndpointId> more = ids(big.topology);
    big.step(
        table(
            more,
            T0,
            unhealthy(more.get(7), T0),
            unhealthy(more.get(8), T0),
            unhealthy(more.get(9), T0)),
        T0);
    assertThat(big.ejected())
        .as("all 3 of v2 exceed the service's 2; v2's cluster allows 1")
        .isEqualTo(1);
  }

  @Test
  void anEjectionEndingWithinMinDwellOfABadRecord_readmitsAsDegraded() {
    List<EndpointId> ids = ids(run.topology);
    EndpointId bad = ids.get(0);
    run.step(table(ids, T0, unhealthy(bad, T0)), T0);
    assertThat(run.routing(bad).ejected()).as("ejected for 30 s").isTrue();
    Instant late = T0.plusMillis(29_600);
    run.step(table(ids, late, degraded(bad, late)), late);
    assertThat(run.routing(bad).ejected()).as("still ejected at 29.6 s").isTrue();

    Instant end = T0.plusSeconds(30);
    run.step(table(ids, end, healthy(bad, end)), end);

    assertThat(run.routing(bad).status())
        .as("a HEALTHY record 0.4 s after a DEGRADED one")
        .isEqualTo(EndpointStatus.DEGRADED);
    assertThat(run.routing(bad).weight()).as("the ramp's start").isEqualTo(10);

    Fixtures.Runner calm = new Fixtures.Runner(config, topology(5, "v1"));
    calm.step(table(ids, T0, unhealthy(bad, T0)), T0);
    calm.step(table(ids, end, healthy(bad, end)), end);
    assertThat(calm.routing(bad).status())
        .as("no bad record since 0 s")
        .isEqualTo(EndpointStatus.ACTIVE);
  }

  @Test
  void aSubsetThatIsSomeRoutesOnlyDestination_isNeverEmptied() {
    Fixtures.Runner lone = new Fixtures.Runner(config, Fixtures.sized(8, 2));
    lone.routeDestinations = List.of(Set.of(SERVICE + "/v2"));
    List<EndpointId> all = ids(lone.topology);
    lone.step(table(all, T0, unhealthy(all.get(8), T0), unhealthy(all.get(9), T0)), T0);

    assertThat(lone.ejected()).as("one of v2's 2: its cluster's panic bound").isEqualTo(1);
    assertThat(lone.last.intended().emptiedSubsets()).as("emptied subsets").isEmpty();
    EndpointRouting kept =
        lone.routing(all.get(8)).ejected() ? lone.routing(all.get(9)) : lone.routing(all.get(8));
    assertThat(kept.ejectionRefused()).as("the other refused").isTrue();
    assertThat(kept.reasons())
        .as("reasons")
        .anyMatch(
            r ->
                r.startsWith("guardrail: ejection refused, 1 of subset v2's 2 endpoints")
                    && r.endsWith("a route of the routing files would have no destination left)"));
  }

  @Test
  void twoSubsetsOfOneRoute_areNotBothEmptied() {
    Fixtures.Runner split = new Fixtures.Runner(config, Fixtures.sized(8, 1, 1));
    split.routeDestinations = List.of(Set.of(SERVICE + "/v2", SERVICE + "/v3"));
    List<EndpointId> all = ids(split.topology);
    split.step(table(all, T0, unhealthy(all.get(8), T0), unhealthy(all.get(9), T0)), T0);

    assertThat(split.ejected()).as("one of the two, not the route's last").isEqualTo(1);
    assertThat(split.last.intended().emptiedSubsets()).as("emptied").hasSize(1);

    Fixtures.Runner apart = new Fixtures.Runner(config, Fixtures.sized(8, 1, 1));
    apart.routeDestinations =
        List.of(Set.of(SERVICE + "/v1", SERVICE + "/v2"), Set.of(SERVICE + "/v1", SERVICE + "/v3"));
    apart.step(table(all, T0, unhealthy(all.get(8), T0), unhealthy(all.get(9), T0)), T0);
    assertThat(apart.ejected()).as("each route keeps v1: both emptied").isEqualTo(2);
  }

  @Test
  void aRouteSplitAcrossTwoServices_keepsOneOfItsSubsets() {
    List<ServiceSpec> services = new java.util.ArrayList<>();
    for (String name : List.of("reviews", "ratings")) {
      List<SubsetSpec> subsets = new java.util.ArrayList<>();
      for (int s = 0; s < 2; s++) {
        int size = s == 0 ? 9 : 1;
        List<EndpointSpec> endpoints = new java.util.ArrayList<>();
        for (int i = 0; i < size; i++) {
          endpoints.add(
              new EndpointSpec(
                  "10." + (services.size() + 1) + "." + s + "." + i, 9080, LocalitySpec.NONE));
        }
        String subset = "v" + (s + 1);
        subsets.add(new SubsetSpec(subset, Map.of("version", subset), size, endpoints));
      }
      services.add(new ServiceSpec(name, 9080, ServiceProtocol.HTTP, subsets));
    }
    Fixtures.Runner split = new Fixtures.Runner(config, new Topology(services));
    split.routeDestinations = List.of(Set.of("reviews/v2", "ratings/v2"));
    List<EndpointId> all =
        services.stream()
            .flatMap(svc -> svc.endpoints().map(e -> EndpointId.of(svc.name(), e)))
            .toList();
    EndpointId reviewsV2 = all.get(9);
    EndpointId ratingsV2 = all.get(19);
    split.step(table(all, T0, unhealthy(reviewsV2, T0), unhealthy(ratingsV2, T0)), T0);

    assertThat(split.last.intended().emptiedSubsets())
        .as("one of the route's two subsets, of two services")
        .hasSize(1);
    assertThat(split.routing(ratingsV2).ejectionRefused())
        .as("ratings, evaluated second, keeps its v2")
        .isTrue();

    Fixtures.Runner first = new Fixtures.Runner(config, new Topology(services));
    first.routeDestinations = split.routeDestinations;
    first.step(table(all, T0, unhealthy(ratingsV2, T0)), T0);
    Instant later = T0.plusSeconds(1);
    first.step(table(all, later, unhealthy(reviewsV2, later), unhealthy(ratingsV2, later)), later);
    assertThat(first.routing(ratingsV2).ejected())
        .as("ratings/v2, emptied first, stays out though reviews is evaluated before it")
        .isTrue();
    assertThat(first.routing(reviewsV2).ejectionRefused()).as("reviews/v2 refused").isTrue();

    Fixtures.Runner apart = new Fixtures.Runner(config, new Topology(services));
    apart.routeDestinations = List.of(Set.of("reviews/v1", "reviews/v2", "ratings/v2"));
    apart.step(table(all, T0, unhealthy(reviewsV2, T0), unhealthy(ratingsV2, T0)), T0);
    assertThat(apart.last.intended().emptiedSubsets()).as("reviews/v1 still serves").hasSize(2);
  }

  @Test
  void aDegradedEndpointWhoseEjectionIsRefusedOnAndOff_isStillWrittenAgain() {
    List<EndpointId> ids = ids(run.topology);
    EndpointId out = ids.get(0);
    EndpointId weak = ids.get(1);
    List<Instant> reaffirmed = new java.util.ArrayList<>();
    Instant t = T0;
    for (int i = 0; t.isBefore(T0.plus(java.time.Duration.ofMinutes(16))); i++) {
      // out keeps the service's one ejection; weak asks for one every other evaluation.
      HealthObservation w = i % 2 == 0 ? unhealthy(weak, t) : degraded(weak, t);
      run.step(table(ids, t, unhealthy(out, t), w), t);
      for (EndpointChange c : run.changes()) {
        if (c.id().equals(weak) && c.action() == EndpointAction.ENDPOINT_ACTION_REAFFIRM) {
          reaffirmed.add(t);
        }
      }
      t = t.plusSeconds(10);
    }
    assertThat(run.routing(weak).status()).as("weak").isEqualTo(EndpointStatus.DEGRADED);
    assertThat(reaffirmed)
        .as("written again every 5 min although SUPPRESSED changes come and go")
        .hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aShiftToASubsetWithNoEndpointInRotation_movesNothing() {
    Fixtures.Runner lone = new Fixtures.Runner(config, Fixtures.sized(8, 2));
    List<EndpointId> all = ids(lone.topology);
    lone.step(table(all, T0, unhealthy(all.get(8), T0), unhealthy(all.get(9), T0)), T0);
    assertThat(lone.last.intended().emptiedSubsets())
        .as("emptied")
        .containsExactly(SERVICE + "/v2");

    lone.shifts.add(new RouteShift("rollout:x", SERVICE, "v1", "v2", 90, "rollout at 10 %"));
    lone.step(table(all, T0.plusSeconds(1)), T0.plusSeconds(1));

    assertThat(lone.last.intended().services().get(SERVICE).subsetWeights())
        .as("v2's cluster would panic: v1 keeps all")
        .containsEntry("v1", 1000)
        .containsEntry("v2", 0);
  }

  private static io.meshpulse.xds.policy.HealthObservation unhealthyAt(EndpointId id, long millis) {
    return health(id, HealthState.HEALTH_STATE_UNHEALTHY, 0.1, 0.9, T0.plusMillis(millis));
  }
}
