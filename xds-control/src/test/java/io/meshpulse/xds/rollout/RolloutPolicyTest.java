package io.meshpulse.xds.rollout;

import static io.meshpulse.xds.rollout.RolloutFixtures.T0;
import static io.meshpulse.xds.rollout.RolloutFixtures.TOPOLOGY;
import static io.meshpulse.xds.rollout.RolloutFixtures.endpoint;
import static io.meshpulse.xds.rollout.RolloutFixtures.spec;
import static io.meshpulse.xds.rollout.RolloutFixtures.subset;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.PolicyInput;
import io.meshpulse.xds.policy.PolicyResult;
import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.RouteWeightChange;
import io.meshpulse.xds.policy.RoutingPolicy;
import io.meshpulse.xds.policy.ServiceDecision;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rollouts through the real routing policy: weights served, decisions made, dry-run. */
class RolloutPolicyTest {

  /** The loop, reduced: rollouts (and extra shifts) → policy, state threaded. */
  static final class Loop {
    final Topology topology;
    final RoutingPolicy policy;
    final Rollouts rollouts;
    final List<RouteShift> extra = new ArrayList<>();
    PolicyState state = PolicyState.INITIAL;
    PolicyResult last;

    Loop(Topology topology, PolicyConfig config, RolloutSpec spec) {
      this.topology = topology;
      this.policy = new RoutingPolicy(config);
      this.rollouts = RolloutFixtures.rollouts(spec);
    }

    PolicyResult step(Instant now, HealthState canary) {
      Map<String, HealthObservation> map = new HashMap<>();
      topology
          .services()
          .get(0)
          .subsets()
          .forEach(
              s ->
                  s.endpoints()
                      .forEach(
                          e ->
                              map.put(
                                  "reviews/" + e.hostPort(),
                                  endpoint(
                                      e.address(),
                                      s.name().equals("v2")
                                          ? canary
                                          : HealthState.HEALTH_STATE_HEALTHY,
                                      canary == HealthState.HEALTH_STATE_UNHEALTHY
                                              && s.name().equals("v2")
                                          ? 0.1
                                          : 0.95,
                                      now))));
      HealthTable table = HealthTable.of(map);
      List<RouteShift> shifts = new ArrayList<>(rollouts.advance(now, topology, table, Map.of()));
      shifts.addAll(extra);
      last = policy.evaluate(new PolicyInput(topology, table, Map.of(), shifts, now, state));
      state = last.state();
      return last;
    }

    Map<String, Integer> intended() {
      return last.intended().services().get("reviews").subsetWeights();
    }

    Map<String, Integer> served() {
      return last.served().services().get("reviews").subsetWeights();
    }

    ServiceDecision decision() {
      assertThat(last.decisions()).as("decisions of this evaluation").hasSize(1);
      return last.decisions().get(0);
    }
  }

  private final Loop loop = new Loop(TOPOLOGY, PolicyConfig.DEFAULTS, spec().build());

  @Test
  void aCanaryAtRouteWeightZero_getsExactlyTheRolloutsPercent_eachStepARolloutDecision() {
    loop.step(T0, HealthState.HEALTH_STATE_HEALTHY);
    assertThat(loop.intended())
        .as("before the first step")
        .containsEntry("v1", 1000)
        .containsEntry("v2", 0);
    loop.step(T0.plusSeconds(1), HealthState.HEALTH_STATE_HEALTHY);
    assertThat(loop.served())
        .as("first step served")
        .containsEntry("v1", 750)
        .containsEntry("v2", 250);
    ServiceDecision first = loop.decision();
    assertThat(first.trigger()).as("trigger").isEqualTo(DecisionTrigger.DECISION_TRIGGER_ROLLOUT);
    assertThat(first.triggerRef()).as("trigger ref").isEqualTo("rollout:reviews/v2");
    assertThat(first.routeChanges())
        .as("route changes")
        .containsExactlyInAnyOrder(
            new RouteWeightChange("v1", 1000, 750), new RouteWeightChange("v2", 0, 250));
    assertThat(first.reasons())
        .as("reasons")
        .anyMatch(r -> r.contains("rollout reviews/v2 PROGRESSING: canary at 25 %"));
    loop.step(T0.plusMillis(1500), HealthState.HEALTH_STATE_HEALTHY);
    assertThat(loop.last.decisions()).as("no decision between steps").isEmpty();
    loop.step(T0.plusSeconds(2), HealthState.HEALTH_STATE_HEALTHY);
    assertThat(loop.served()).as("second step").containsEntry("v2", 500);
  }

  @Test
  void aRollback_isOneRolloutDecision_takingTheCanaryToZero() {
    loop.step(T0, HealthState.HEALTH_STATE_HEALTHY);
    loop.step(T0.plusSeconds(1), HealthState.HEALTH_STATE_HEALTHY);
    loop.step(T0.plusSeconds(2), HealthState.HEALTH_STATE_HEALTHY);
    loop.step(T0.plusMillis(2300), HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(loop.served()).as("rolled back").containsEntry("v1", 1000).containsEntry("v2", 0);
    ServiceDecision d = loop.decision();
    assertThat(d.trigger()).as("trigger").isEqualTo(DecisionTrigger.DECISION_TRIGGER_ROLLOUT);
    assertThat(d.routeChanges()).as("route changes").contains(new RouteWeightChange("v2", 500, 0));
    assertThat(d.reasons())
        .as("reasons")
        .anyMatch(r -> r.contains("ROLLED_BACK: rolled back: canary health dropped"));
  }

  @Test
  void inDryRun_theStepsAreDecidedAndPublished_butNotServed() {
    Loop dry = new Loop(TOPOLOGY, PolicyConfig.builder().dryRun(true).build(), spec().build());
    dry.step(T0, HealthState.HEALTH_STATE_HEALTHY);
    dry.step(T0.plusSeconds(1), HealthState.HEALTH_STATE_HEALTHY);
    assertThat(dry.intended()).as("intended").containsEntry("v2", 250);
    assertThat(dry.served())
        .as("served: the topology's weights")
        .containsEntry("v2", 0)
        .containsEntry("v1", 1000);
    ServiceDecision d = dry.decision();
    assertThat(d.trigger()).as("trigger").isEqualTo(DecisionTrigger.DECISION_TRIGGER_ROLLOUT);
    assertThat(d.reasons()).as("reasons").contains("dry-run: computed, not served");
  }

  @Test
  void withAThirdSubset_theCanaryTakesItsPercentOfTheStableSubsetsShare() {
    Topology three =
        new Topology(
            List.of(
                new ServiceSpec(
                    "reviews",
                    9080,
                    ServiceProtocol.HTTP,
                    List.of(
                        subset("v1", 50, "10.0.1.1"),
                        subset("v2", 0, "10.0.2.1"),
                        subset("v3", 50, "10.0.3.1")))));
    Loop l = new Loop(three, PolicyConfig.DEFAULTS, spec().stepPercent(50).build());
    l.step(T0, HealthState.HEALTH_STATE_HEALTHY);
    l.step(T0.plusSeconds(1), HealthState.HEALTH_STATE_HEALTHY);
    assertThat(l.served())
        .as("half of v1's 500 per mille")
        .containsEntry("v1", 250)
        .containsEntry("v2", 250)
        .containsEntry("v3", 500);
  }

  @Test
  void anAlertShiftAwayFromTheCanary_appliesAfterTheRollouts() {
    loop.step(T0, HealthState.HEALTH_STATE_HEALTHY);
    loop.step(T0.plusSeconds(1), HealthState.HEALTH_STATE_HEALTHY);
    loop.extra.add(new RouteShift("fp", "reviews", "v2", "v1", 0, "alert CanaryBad firing"));
    loop.step(T0.plusMillis(1100), HealthState.HEALTH_STATE_HEALTHY);
    assertThat(loop.served()).as("the alert takes the canary's share").containsEntry("v2", 0);
  }
}
