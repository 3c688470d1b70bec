package io.meshpulse.model;

import io.meshpulse.model.v1.ServiceHealth;

/** Reads {@link ServiceHealth}; a record without a cluster is rejected. */
public final class ServiceHealthDeserializer extends ProtoDeserializer<ServiceHealth> {
  public ServiceHealthDeserializer() {
    super(
        "ServiceHealth",
        ServiceHealth.parser(),
        r -> r.getCluster().isEmpty() ? "its cluster is empty" : null);
  }
}
