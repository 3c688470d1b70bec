package io.meshpulse.model;

import io.meshpulse.model.v1.RoutingDecision;

/** Reads {@link RoutingDecision}s; a record without an id or cluster is rejected. */
public final class RoutingDecisionDeserializer extends ProtoDeserializer<RoutingDecision> {
  public RoutingDecisionDeserializer() {
    super(
        "RoutingDecision",
        RoutingDecision.parser(),
        r -> {
          if (r.getId().isEmpty()) {
            return "its id is empty";
          }
          return r.getCluster().isEmpty() ? "its cluster is empty" : null;
        });
  }
}
