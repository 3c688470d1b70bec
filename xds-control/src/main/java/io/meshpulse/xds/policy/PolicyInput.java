package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.Map;

/** Everything one evaluation of the policy depends on. */
public record PolicyInput(
    Topology topology,
    HealthTable health,
    Map<EndpointId, EndpointOverride> overrides,
    Instant now,
    PolicyState previous) {
  public PolicyInput {
    overrides = Map.copyOf(overrides);
  }
}
