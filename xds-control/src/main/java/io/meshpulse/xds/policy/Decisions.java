package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Assembles one service's changes of one evaluation into a {@link ServiceDecision}. */
final class Decisions {
  private Decisions() {}

  /**
   * @param previousWeights the subset weights last computed, {@code null} on the first evaluation
   *     (the initial weights are configuration, not a change)
   */
  static Optional<ServiceDecision> assemble(
      String service,
      List<EndpointChange> changes,
      ServiceRouting routing,
      @Nullable Map<String, Integer> previousWeights,
      PolicyMode mode,
      HealthTable health,
      boolean dryRun,
      List<RouteShift> changedShifts) {
    List<RouteWeightChange> routeChanges = new ArrayList<>();
    if (previousWeights != null) {
      routing
          .subsetWeights()
          .forEach(
              (subset, w) -> {
                int old = previousWeights.getOrDefault(subset, 0);
                if (old != w) {
                  routeChanges.add(new RouteWeightChange(subset, old, w));
                }
              });
    }
    if (changes.isEmpty() && routeChanges.isEmpty() && changedShifts.isEmpty()) {
      return Optional.empty();
    }
    DecisionTrigger trigger = DecisionTrigger.DECISION_TRIGGER_HEALTH;
    for (DecisionTrigger t :
        List.of(
            DecisionTrigger.DECISION_TRIGGER_OVERRIDE,
            DecisionTrigger.DECISION_TRIGGER_STALENESS)) {
      if (changes.stream().anyMatch(c -> c.trigger() == t)) {
        trigger = t;
        break;
      }
    }
    String triggerRef = "";
    if (!changedShifts.isEmpty() && (!routeChanges.isEmpty() || changes.isEmpty())) {
      boolean operator =
          changes.stream().anyMatch(c -> c.trigger() == DecisionTrigger.DECISION_TRIGGER_OVERRIDE);
      if (!operator) {
        trigger = changedShifts.get(0).trigger();
        triggerRef = changedShifts.get(0).ref();
      }
    }
    List<EndpointHealth> inputs = new ArrayList<>();
    for (EndpointChange c : changes) {
      health.get(c.id()).ifPresent(o -> inputs.add(o.record()));
    }
    List<String> reasons = new ArrayList<>();
    reasons.add("mode " + mode);
    if (dryRun) {
      reasons.add("dry-run: computed, not served");
    }
    for (RouteShift shift : changedShifts) {
      reasons.add(shift.describe());
    }
    return Optional.of(
        new ServiceDecision(
            service, trigger, triggerRef, changes, routeChanges, inputs, reasons, changedShifts));
  }
}
