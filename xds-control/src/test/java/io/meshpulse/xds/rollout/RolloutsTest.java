package io.meshpulse.xds.rollout;

import static io.meshpulse.xds.rollout.RolloutFixtures.T0;
import static io.meshpulse.xds.rollout.RolloutFixtures.TOPOLOGY;
import static io.meshpulse.xds.rollout.RolloutFixtures.canary;
import static io.meshpulse.xds.rollout.RolloutFixtures.endpoint;
import static io.meshpulse.xds.rollout.RolloutFixtures.healthy;
import static io.meshpulse.xds.rollout.RolloutFixtures.rollouts;
import static io.meshpulse.xds.rollout.RolloutFixtures.spec;
import static io.meshpulse.xds.rollout.RolloutFixtures.subsetHealth;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.shift.Alert;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutsTest {
  private final Rollouts rollouts = rollouts(spec().build());

  private RouteShift advance(Instant at, HealthTable table) {
    return advance(at, table, Map.of());
  }

  private RouteShift advance(Instant at, HealthTable table, Map<String, ServiceHealth> subsets) {
    return rollouts.advance(at, TOPOLOGY, table, subsets).get(0);
  }

  private Rollout rollout() {
    return rollouts.get("reviews", "v2").orElseThrow();
  }

  private void stepTo(int percent) {
    for (int s = 0; rollout().percent() < percent; s++) {
      Instant at = T0.plusSeconds(s);
      advance(at, healthy(at));
    }
  }

  @Test
  void aRollout_waitsOneInterval_thenStepsUpEveryIntervalWhileTheCanaryIsHealthy() {
    assertThat(advance(T0, HealthTable.EMPTY).remainingPercent())
        .as("first evaluation: v1 keeps everything")
        .isEqualTo(100);
    assertThat(advance(T0.plusMillis(999), HealthTable.EMPTY).remainingPercent())
        .as("within the first interval")
        .isEqualTo(100);
    RouteShift first = advance(T0.plusSeconds(1), HealthTable.EMPTY);
    assertThat(first)
        .as("first step, without health (a canary without traffic has none)")
        .extracting(RouteShift::from, RouteShift::to, RouteShift::remainingPercent)
        .containsExactly("v1", "v2", 75);
    assertThat(first.ref()).as("ref").isEqualTo("rollout:reviews/v2");
    assertThat(first.fromRollout()).as("a rollout's shift").isTrue();
    assertThat(advance(T0.plusMillis(1500), healthy(T0.plusMillis(1500))).remainingPercent())
        .as("holds between steps, healthy or not")
        .isEqualTo(75);
    assertThat(advance(T0.plusSeconds(2), healthy(T0.plusSeconds(2))).remainingPercent())
        .as("second step")
        .isEqualTo(50);
    assertThat(rollout().state()).as("state").isEqualTo(RolloutState.PROGRESSING);
    assertThat(rollout().reason())
        .as("reason")
        .contains("canary at 50 %", "2/2 judged canary endpoints HEALTHY");
  }

  @Test
  void aRolloutOnOneRoute_holdsWhileTheRoutingFilesLackItsRoute_andGoesOnOnceItIsBack() {
    RoutingConfig routing = RolloutFixtures.routing();
    Rollouts onRoute = rollouts(spec().route("reviews/default").build());
    onRoute.advance(T0, TOPOLOGY, routing, HealthTable.EMPTY, Map.of());
    Instant first = T0.plusSeconds(1);
    assertThat(onRoute.advance(first, TOPOLOGY, routing, healthy(first), Map.of()).get(0))
        .as("first step, on its route")
        .extracting(RouteShift::remainingPercent, RouteShift::route)
        .containsExactly(75, "reviews/default");

    // A reload renamed the route: healthy as the canary is (traffic from other routes), it holds.
    for (int s = 2; s <= 8; s++) {
      Instant at = T0.plusSeconds(s);
      onRoute.advance(at, TOPOLOGY, RoutingConfig.EMPTY, healthy(at), Map.of());
    }
    Rollout held = onRoute.get("reviews", "v2").orElseThrow();
    assertThat(held.state()).as("state").isEqualTo(RolloutState.PROGRESSING);
    assertThat(held.percent()).as("percent").isEqualTo(25);
    assertThat(held.reason())
        .as("reason")
        .startsWith(
            "holding at 25 %: route: the routing configuration has no route 'reviews/default'");

    Instant back = T0.plusSeconds(9);
    assertThat(onRoute.advance(back, TOPOLOGY, routing, healthy(back), Map.of()).get(0))
        .as("the route back: the next step")
        .extracting(RouteShift::remainingPercent)
        .isEqualTo(50);
  }

  @Test
  void afterItsFirstStep_aRolloutHoldsWhileTheCanaryHasNoFreshHealth() {
    stepTo(25);
    Instant later = T0.plusSeconds(5);
    HealthTable stale = healthy(later.minusSeconds(11));
    assertThat(advance(later, stale).remainingPercent()).as("stale health holds").isEqualTo(75);
    assertThat(rollout().reason()).as("reason").startsWith("holding at 25 %: no fresh judged");
    HealthTable unknown = canary(HealthState.HEALTH_STATE_UNKNOWN, 1.0, later);
    assertThat(advance(later.plusSeconds(1), unknown).remainingPercent())
        .as("UNKNOWN (too little traffic) holds")
        .isEqualTo(75);
    assertThat(advance(later.plusSeconds(2), healthy(later.plusSeconds(2))).remainingPercent())
        .as("fresh healthy records: steps at once, the interval having passed")
        .isEqualTo(50);
  }

  @Test
  void anUnhealthyCanaryEndpoint_rollsTheRolloutBackAtOnce_betweenSteps() {
    stepTo(50);
    Instant at = rollout().lastStepAt().plusMillis(100);
    HealthObservation bad = endpoint("10.0.2.2", HealthState.HEALTH_STATE_UNHEALTHY, 0.1, at);
    HealthTable table =
        HealthTable.of(
            Map.of(
                "reviews/10.0.2.1:9080",
                endpoint("10.0.2.1", HealthState.HEALTH_STATE_HEALTHY, 0.95, at),
                "reviews/10.0.2.2:9080",
                bad));
    RouteShift shift = advance(at, table);
    assertThat(shift)
        .as("the canary's whole weight goes to stable")
        .extracting(RouteShift::from, RouteShift::to, RouteShift::remainingPercent)
        .containsExactly("v2", "v1", 0);
    assertThat(rollout().state()).as("state").isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(rollout().percent()).as("percent").isZero();
    assertThat(rollout().reason())
        .as("reason names the endpoint")
        .contains("rolled back", "1/2 judged canary endpoints HEALTHY", "10.0.2.2:9080 UNHEALTHY");
    assertThat(advance(at.plusSeconds(5), healthy(at.plusSeconds(5))).remainingPercent())
        .as("a rolled-back rollout stays rolled back")
        .isZero();
  }

  @Test
  void aLowMeanScore_rollsBack_evenWhenEveryEndpointIsHealthy() {
    Rollouts strict = rollouts(spec().minScore(0.9).build());
    strict.advance(T0, TOPOLOGY, HealthTable.EMPTY, Map.of());
    strict.advance(T0.plusSeconds(1), TOPOLOGY, HealthTable.EMPTY, Map.of());
    Instant at = T0.plusSeconds(2);
    strict.advance(at, TOPOLOGY, canary(HealthState.HEALTH_STATE_HEALTHY, 0.85, at), Map.of());
    assertThat(strict.get("reviews", "v2").orElseThrow())
        .as("rolled back below min score")
        .satisfies(
            r -> {
              assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
              assertThat(r.reason()).contains("mean score 0.85 (< min score 0.90)");
            });
  }

  @Test
  void theCanarySubsetsOwnHealthRecord_rollsBackACanaryFailingAsAWhole() {
    stepTo(25);
    Instant at = rollout().lastStepAt().plusMillis(200);
    // Each endpoint compared with its (equally bad) peers looks healthy; the subset does not.
    advance(at, healthy(at), subsetHealth(HealthState.HEALTH_STATE_UNHEALTHY, 0.2, at));
    assertThat(rollout().state()).as("state").isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(rollout().reason())
        .as("reason")
        .contains("subset v2 UNHEALTHY score 0.20", "error rate 20.0 %");
  }

  @Test
  void aStaleSubsetRecord_orALowConfidenceEndpointRecord_isNotJudged() {
    stepTo(25);
    Instant at = rollout().lastStepAt().plusSeconds(1);
    Map<String, ServiceHealth> old =
        subsetHealth(HealthState.HEALTH_STATE_UNHEALTHY, 0.2, at.minusSeconds(30));
    HealthObservation unsure = endpoint("10.0.2.1", HealthState.HEALTH_STATE_UNHEALTHY, 0.1, at);
    unsure = new HealthObservation(unsure.record().toBuilder().setConfidence(0.1).build(), at);
    advance(at, HealthTable.of(Map.of("reviews/10.0.2.1:9080", unsure)), old);
    assertThat(rollout().state()).as("state").isEqualTo(RolloutState.PROGRESSING);
    assertThat(rollout().percent()).as("held, not stepped").isEqualTo(25);
  }

  @Test
  void aFiringAlertNamingTheCanary_rollsItBack_otherAlertsDoNot() {
    stepTo(50);
    Instant at = rollout().lastStepAt().plusMillis(10);
    assertThat(
            rollouts.onAlert(
                new Alert(
                    "fp1",
                    true,
                    Map.of(
                        "alertname",
                        "X",
                        "destination_service_name",
                        "reviews",
                        "destination_version",
                        "v1")),
                at))
        .as("an alert on the stable subset")
        .isEmpty();
    assertThat(
            rollouts.onAlert(
                new Alert(
                    "fp2",
                    false,
                    Map.of("destination_service_name", "reviews", "destination_version", "v2")),
                at))
        .as("a resolved alert")
        .isEmpty();
    assertThat(
            rollouts.onAlert(
                new Alert(
                    "fp3",
                    true,
                    Map.of(
                        "alertname", "MeshCanaryErrorRateHigh",
                        "destination_service_name", "reviews",
                        "destination_version", "v2")),
                at))
        .as("the canary's alert")
        .containsExactly("reviews/v2");
    assertThat(advance(at, healthy(at)))
        .as("shift after the alert")
        .extracting(RouteShift::from, RouteShift::remainingPercent)
        .containsExactly("v2", 0);
    assertThat(rollout().reason())
        .as("reason")
        .isEqualTo("rolled back: alert MeshCanaryErrorRateHigh firing");
  }

  @Test
  void aRollout_isPromotedAtItsMaxPercent_andThenHoldsThere() {
    Rollouts capped = rollouts(spec().stepPercent(30).maxPercent(80).build());
    for (int s = 0; s <= 4; s++) {
      Instant at = T0.plusSeconds(s);
      capped.advance(at, TOPOLOGY, healthy(at), Map.of());
    }
    Rollout r = capped.get("reviews", "v2").orElseThrow();
    assertThat(r.state()).as("state").isEqualTo(RolloutState.PROMOTED);
    assertThat(r.percent()).as("30, 60, then capped at 80").isEqualTo(80);
    assertThat(r.reason()).as("reason").startsWith("promoted: canary at 80 %");
    Instant later = T0.plusSeconds(6);
    List<RouteShift> after =
        capped.advance(
            later, TOPOLOGY, canary(HealthState.HEALTH_STATE_UNHEALTHY, 0.1, later), Map.of());
    assertThat(after.get(0).remainingPercent()).as("a promoted rollout holds").isEqualTo(20);
    assertThat(
            capped.onAlert(
                new Alert(
                    "fp",
                    true,
                    Map.of("destination_service_name", "reviews", "destination_version", "v2")),
                later))
        .as("alerts leave a promoted rollout alone")
        .isEmpty();
  }

  @Test
  void aRolloutThatReachesItsMax_isJudgedThereBeforeItIsPromoted() {
    Rollouts switched = rollouts(spec().stepPercent(100).maxPercent(100).build());
    switched.advance(T0, TOPOLOGY, HealthTable.EMPTY, Map.of());
    Instant first = T0.plusSeconds(1);
    switched.advance(first, TOPOLOGY, HealthTable.EMPTY, Map.of());
    assertThat(rolloutOf(switched).percent())
        .as("one step to the max, no health needed")
        .isEqualTo(100);
    assertThat(rolloutOf(switched).state()).isEqualTo(RolloutState.PROGRESSING);

    Instant due = T0.plusSeconds(2);
    switched.advance(due, TOPOLOGY, HealthTable.EMPTY, Map.of());
    assertThat(rolloutOf(switched).state())
        .as("no judged health at the max: no promotion")
        .isEqualTo(RolloutState.PROGRESSING);
    assertThat(rolloutOf(switched).reason()).startsWith("holding at 100 %");

    Instant bad = T0.plusSeconds(3);
    switched.advance(bad, TOPOLOGY, canary(HealthState.HEALTH_STATE_UNHEALTHY, 0.1, bad), Map.of());
    assertThat(rolloutOf(switched).state())
        .as("bad health at the max still rolls back")
        .isEqualTo(RolloutState.ROLLED_BACK);
  }

  private static Rollout rolloutOf(Rollouts rollouts) {
    return rollouts.get("reviews", "v2").orElseThrow();
  }

  @Test
  void anAlertNamingTheCanarysVersionLabel_rollsBackARolloutOfItsSubset() {
    Topology labelled =
        new Topology(
            List.of(
                new ServiceSpec(
                    "reviews",
                    9080,
                    ServiceProtocol.HTTP,
                    List.of(
                        new io.meshpulse.xds.topology.SubsetSpec(
                            "stable",
                            Map.of("version", "v1"),
                            100,
                            RolloutFixtures.subset("x", 0, "10.0.1.1").endpoints()),
                        new io.meshpulse.xds.topology.SubsetSpec(
                            "canary",
                            Map.of("version", "v2"),
                            0,
                            RolloutFixtures.subset("x", 0, "10.0.2.1").endpoints())))));
    Rollouts canary =
        new Rollouts(
            Duration.ofSeconds(10),
            0.3,
            List.of(spec().canary("canary").stable("stable").build()),
            T0);
    canary.advance(T0, labelled, HealthTable.EMPTY, Map.of());
    assertThat(
            canary.onAlert(
                new Alert(
                    "fp",
                    true,
                    Map.of("destination_service_name", "reviews", "destination_version", "v2")),
                T0.plusSeconds(1)))
        .as("destination_version v2 is subset canary's version")
        .containsExactly("reviews/canary");
  }

  @Test
  void aPromotionMadePermanentInTheTopology_dropsTheFinishedRollout() {
    List<String> removed = new java.util.ArrayList<>();
    RolloutStore store =
        new RolloutStore() {
          @Override
          public void changed(Rollout rollout) {}

          @Override
          public void removed(String key) {
            removed.add(key);
          }
        };
    Rollouts promoted = new Rollouts(Duration.ofSeconds(10), 0.3, List.of(), T0, store);
    promoted.start(spec().stepPercent(50).build(), T0);
    for (int s = 0; s <= 3; s++) {
      Instant at = T0.plusSeconds(s);
      promoted.advance(at, TOPOLOGY, healthy(at), Map.of());
    }
    assertThat(promoted.get("reviews", "v2").orElseThrow().state())
        .as("state")
        .isEqualTo(RolloutState.PROMOTED);

    Topology permanent =
        new Topology(
            List.of(
                new ServiceSpec(
                    "reviews",
                    9080,
                    ServiceProtocol.HTTP,
                    List.of(
                        RolloutFixtures.subset("v1", 20, "10.0.1.1", "10.0.1.2"),
                        RolloutFixtures.subset("v2", 80, "10.0.2.1", "10.0.2.2")))));
    Instant later = T0.plusSeconds(5);
    assertThat(promoted.advance(later, permanent, healthy(later), Map.of()))
        .as("no shift over the topology's 80/20")
        .isEmpty();
    assertThat(promoted.list()).as("dropped").isEmpty();
    assertThat(removed).as("removed from the store").containsExactly("reviews/v2");
  }

  @Test
  void abort_rollsBackAProgressingRollout_thenForgetsIt_andAFinishedOneMayBeRestarted() {
    stepTo(25);
    Instant at = T0.plusSeconds(10);
    assertThat(rollouts.start(spec().build(), at)).as("a second start while progressing").isEmpty();
    assertThat(rollouts.abort("reviews", "v2", "aborted by the operator", at))
        .as("abort")
        .isEqualTo(Rollouts.Abort.ROLLED_BACK);
    assertThat(rollout().reason()).as("reason").isEqualTo("rolled back: aborted by the operator");
    assertThat(advance(at, healthy(at)).remainingPercent()).as("rolled back").isZero();
    assertThat(rollouts.start(spec().build(), at)).as("restart after a rollback").isPresent();
    assertThat(rollout().state()).as("restarted").isEqualTo(RolloutState.PROGRESSING);
    assertThat(rollout().percent()).as("from 0").isZero();
    rollouts.abort("reviews", "v2", "x", at);
    assertThat(rollouts.abort("reviews", "v2", "x", at))
        .as("a finished rollout that configuration declares")
        .isEqualTo(Rollouts.Abort.DECLARED);
    assertThat(rollouts.list()).as("kept: a restart would start it again").hasSize(1);

    Rollouts started = new Rollouts(Duration.ofSeconds(10), 0.3, List.of(), T0);
    assertThat(started.start(spec().build(), at)).as("started through the API").isPresent();
    started.abort("reviews", "v2", "x", at);
    assertThat(started.abort("reviews", "v2", "x", at))
        .as("aborting a finished rollout")
        .isEqualTo(Rollouts.Abort.REMOVED);
    assertThat(started.list()).as("forgotten").isEmpty();
    assertThat(started.advance(at, TOPOLOGY, healthy(at), Map.of())).as("no shifts").isEmpty();
    assertThat(started.abort("reviews", "v2", "x", at))
        .as("unknown")
        .isEqualTo(Rollouts.Abort.UNKNOWN);
  }
}
