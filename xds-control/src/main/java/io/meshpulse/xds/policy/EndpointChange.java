package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointAction;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One change of one endpoint's weight or status, with the reasons for it.
 *
 * @param ejectedUntil when the automatic ejection the change leaves in force ends
 * @param offences the endpoint's ejections not yet forgotten, after the change
 */
public record EndpointChange(
    EndpointId id,
    String subset,
    EndpointAction action,
    int oldWeight,
    int newWeight,
    EndpointStatus oldStatus,
    EndpointStatus newStatus,
    DecisionTrigger trigger,
    List<String> reasons,
    @Nullable Instant ejectedUntil,
    int offences) {
  public EndpointChange {
    reasons = List.copyOf(reasons);
  }
}
