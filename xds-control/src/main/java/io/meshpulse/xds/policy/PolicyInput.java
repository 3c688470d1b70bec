package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one evaluation of the policy depends on.
 *
 * @param shifts route shifts in force (from alerts), applied to the subset route weights
 * @param soleDestinations subsets, as {@code service/subset}, that a route of the routing files
 *     sends all of its traffic to (after the shifts): the policy never ejects every endpoint of
 *     one, since no other destination could take that route's traffic
 */
public record PolicyInput(
    Topology topology,
    HealthTable health,
    Map<EndpointId, EndpointOverride> overrides,
    List<RouteShift> shifts,
    Instant now,
    PolicyState previous,
    Set<String> soleDestinations) {
  public PolicyInput {
    overrides = Map.copyOf(overrides);
    shifts = List.copyOf(shifts);
    soleDestinations = Set.copyOf(soleDestinations);
  }

  /** An input with no route of the routing files sending all its traffic to one subset. */
  public PolicyInput(
      Topology topology,
      HealthTable health,
      Map<EndpointId, EndpointOverride> overrides,
      List<RouteShift> shifts,
      Instant now,
      PolicyState previous) {
    this(topology, health, overrides, shifts, now, previous, Set.of());
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
