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
 * @param routeDestinations for each route of the routing files, the destinations it sends traffic
 *     to after the shifts, as {@code service/subset} ({@code service/} for the whole service): the
 *     policy never ejects every endpoint of a subset if that would leave a route with no
 *     destination in rotation
 */
public record PolicyInput(
    Topology topology,
    HealthTable health,
    Map<EndpointId, EndpointOverride> overrides,
    List<RouteShift> shifts,
    Instant now,
    PolicyState previous,
    List<Set<String>> routeDestinations) {
  public PolicyInput {
    overrides = Map.copyOf(overrides);
    shifts = List.copyOf(shifts);
    routeDestinations = routeDestinations.stream().map(Set::copyOf).toList();
  }

  /** An input without routes of the routing files. */
  public PolicyInput(
      Topology topology,
      HealthTable health,
      Map<EndpointId, EndpointOverride> overrides,
      List<RouteShift> shifts,
      Instant now,
      PolicyState previous) {
    this(topology, health, overrides, shifts, now, previous, List.of());
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
