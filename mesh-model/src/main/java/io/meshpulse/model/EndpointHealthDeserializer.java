package io.meshpulse.model;

import io.meshpulse.model.v1.EndpointHealth;

/** Reads {@link EndpointHealth}; a record without a cluster or endpoint address is rejected. */
public final class EndpointHealthDeserializer extends ProtoDeserializer<EndpointHealth> {
  public EndpointHealthDeserializer() {
    super(
        "EndpointHealth",
        EndpointHealth.parser(),
        r -> {
          if (r.getCluster().isEmpty()) {
            return "its cluster is empty";
          }
          return r.getEndpoint().getAddress().isEmpty() ? "its endpoint address is empty" : null;
        });
  }
}
