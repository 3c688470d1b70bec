package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointAction;
import java.util.List;

/** One change of one endpoint's weight or status, with the reasons for it. */
public record EndpointChange(
    EndpointId id,
    String subset,
    EndpointAction action,
    int oldWeight,
    int newWeight,
    EndpointStatus oldStatus,
    EndpointStatus newStatus,
    DecisionTrigger trigger,
    List<String> reasons) {
  public EndpointChange {
    reasons = List.copyOf(reasons);
  }
}
