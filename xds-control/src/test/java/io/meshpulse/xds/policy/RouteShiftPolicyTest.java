package io.meshpulse.xds.policy;

import static io.meshpulse.xds.policy.Fixtures.SERVICE;
import static io.meshpulse.xds.policy.Fixtures.T0;
import static io.meshpulse.xds.policy.Fixtures.ids;
import static io.meshpulse.xds.policy.Fixtures.table;
import static io.meshpulse.xds.policy.Fixtures.topology;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.DecisionTrigger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteShiftPolicyTest {
  private final Fixtures.Runner run =
      new Fixtures.Runner(PolicyConfig.DEFAULTS, topology(2, "v1", "v2"));
  private final List<EndpointId> ids = ids(run.topology);

  private Map<String, Integer> weights(Fixtures.Runner r) {
    return r.last.intended().services().get(SERVICE).subsetWeights();
  }

  private static RouteShift shift(int remaining) {
    return new RouteShift("fp1", SERVICE, "v2", "v1", remaining, "alert CanaryBad firing");
  }

  @Test
  void aShift_movesThatShareOfTheSubsetsWeightToTheTarget_asAnAlertDecision() {
    run.step(table(ids, T0), T0);
    assertThat(weights(run))
        .as("configured weights")
        .containsEntry("v1", 500)
        .containsEntry("v2", 500);

    run.shifts.add(shift(50));
    run.step(table(ids, T0), T0.plusSeconds(1));

    assertThat(weights(run))
        .as("half of v2 moved")
        .containsEntry("v1", 750)
        .containsEntry("v2", 250);
    assertThat(run.last.decisions())
        .as("decisions")
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.trigger())
                  .as("trigger")
                  .isEqualTo(DecisionTrigger.DECISION_TRIGGER_ALERT);
              assertThat(d.triggerRef()).as("trigger ref").isEqualTo("fp1");
              assertThat(d.routeChanges())
                  .as("route changes")
                  .containsExactlyInAnyOrder(
                      new RouteWeightChange("v1", 500, 750), new RouteWeightChange("v2", 500, 250));
              assertThat(d.reasons()).as("reasons").anyMatch(r -> r.contains("v2 keeps 50 %"));
            });
  }

  @Test
  void anUnchangedShift_isNoNewDecision_andAFullShiftEmptiesTheSubset() {
    run.shifts.add(shift(0));
    run.step(table(ids, T0), T0);
    assertThat(weights(run)).as("all to v1").containsEntry("v1", 1000).containsEntry("v2", 0);
    run.step(table(ids, T0), T0.plusSeconds(1));
    assertThat(run.last.decisions()).as("decisions of a repeated evaluation").isEmpty();
  }

  @Test
  void everyShiftThatChanges_isInTheDecision_evenWhenNoWeightMoves_andComesBackOnRestart() {
    run.shifts.add(shift(0));
    run.step(table(ids, T0), T0);
    RouteShift health = new RouteShift("health:reviews/v2", SERVICE, "v2", "v1", 0, "failing");
    run.shifts.add(health);
    run.step(table(ids, T0), T0.plusSeconds(1));
    assertThat(weights(run)).as("v2 already empty").containsEntry("v2", 0);
    assertThat(run.last.decisions())
        .as("a decision for the new shift alone")
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.routeChanges()).as("route changes").isEmpty();
              assertThat(d.trigger())
                  .as("trigger")
                  .isEqualTo(DecisionTrigger.DECISION_TRIGGER_HEALTH);
              assertThat(d.triggerRef()).as("trigger ref").isEqualTo("health:reviews/v2");
              assertThat(d.shiftChanges()).as("shift changes").containsExactly(health);
            });
    io.meshpulse.model.v1.RoutingDecision logged =
        io.meshpulse.xds.decision.DecisionMapper.toRecord(
            run.last.decisions().get(0), T0.plusSeconds(1), "v", false);
    assertThat(logged.getShiftChangesList())
        .as("in the decision log")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getRef()).as("ref").isEqualTo("health:reviews/v2");
              assertThat(c.getFromSubset()).as("from").isEqualTo("v2");
              assertThat(c.getToSubset()).as("to").isEqualTo("v1");
              assertThat(c.getRemainingPercent()).as("percent").isZero();
              assertThat(c.getReason()).as("reason").isEqualTo("failing");
            });
    assertThat(
            PolicyRecovery.rebuild(List.of(logged), run.topology, PolicyConfig.DEFAULTS).shifts())
        .as("a restart's memory of the shift")
        .containsExactly(Map.entry("health:reviews/v2", 0));
  }

  @Test
  void aShiftToAnUnknownSubset_orOfAnotherService_changesNothing() {
    run.shifts.add(new RouteShift("fp2", SERVICE, "v2", "v9", 0, "x"));
    run.shifts.add(new RouteShift("fp3", "ratings", "v2", "v1", 0, "x"));
    run.step(table(ids, T0), T0);
    assertThat(weights(run)).as("weights").containsEntry("v1", 500).containsEntry("v2", 500);
  }

  @Test
  void aShiftScopedToOneRouteOfTheRoutingFiles_leavesTheServicesOwnRoute() {
    run.shifts.add(new RouteShift("fp4", SERVICE, "v2", "v1", 0, "x", "frontend-gw/split"));
    run.step(table(ids, T0), T0);
    assertThat(weights(run))
        .as("the service's own route, served to every sidecar")
        .containsEntry("v1", 500)
        .containsEntry("v2", 500);
  }

  @Test
  void inDryRun_theShiftIsDecidedButNotServed() {
    Fixtures.Runner dry =
        new Fixtures.Runner(PolicyConfig.builder().dryRun(true).build(), topology(2, "v1", "v2"));
    dry.step(table(ids, T0), T0);
    dry.shifts.add(shift(0));
    dry.step(table(ids, T0), T0.plusSeconds(1));
    assertThat(weights(dry)).as("intended").containsEntry("v2", 0);
    assertThat(dry.last.served().services().get(SERVICE).subsetWeights())
        .as("served")
        .containsEntry("v2", 500);
    assertThat(dry.last.decisions())
        .as("decisions")
        .singleElement()
        .satisfies(d -> assertThat(d.trigger()).isEqualTo(DecisionTrigger.DECISION_TRIGGER_ALERT));
  }
}
