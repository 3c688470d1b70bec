package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one evaluation of the policy depends on.
 *
 * @param shifts route shifts in force (from alerts), applied to the subset route weights
 */
public record PolicyInput(
    Topology topology,
    HealthTable health,
    Map<EndpointId, EndpointOverride> overrides,
    List<RouteShift> shifts,
    Instant now,
    PolicyState previous) {
  public PolicyInput {
    overrides = Map.copyOf(overrides);
    shifts = List.copyOf(shifts);
  }

  /** An input without route shifts. */
  public PolicyInput(
      Topology topology,
      HealthTable health,
      Map<EndpointId, EndpointOverride> overrides,
      Instant now,
      PolicyState previous) {
    this(topology, health, overrides, List.of(), now, previous);
  }
}
