package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointHealth;
import java.util.List;

/**
 * Everything one evaluation changed in one service, and the health records it acted on.
 *
 * @param triggerRef what triggered it beyond health (an alert's fingerprint), or empty
 * @param shiftChanges the route shifts of the service whose percent changed in this evaluation
 */
public record ServiceDecision(
    String service,
    DecisionTrigger trigger,
    String triggerRef,
    List<EndpointChange> endpointChanges,
    List<RouteWeightChange> routeChanges,
    List<EndpointHealth> inputs,
    List<String> reasons,
    List<RouteShift> shiftChanges) {
  public ServiceDecision {
    endpointChanges = List.copyOf(endpointChanges);
    routeChanges = List.copyOf(routeChanges);
    inputs = List.copyOf(inputs);
    reasons = List.copyOf(reasons);
    shiftChanges = List.copyOf(shiftChanges);
  }
}
