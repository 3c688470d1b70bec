package io.meshpulse.xds.policy;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The policy's memory, returned by one evaluation and passed to the next.
 *
 * @param routeWeights per service, per subset: the route weights last computed
 * @param silentSince when the pipeline was first seen silent, {@code null} while it speaks
 * @param shifts per shift ref, the remaining percent last applied
 */
public record PolicyState(
    Map<EndpointId, EndpointState> endpoints,
    Map<String, Map<String, Integer>> routeWeights,
    PolicyMode mode,
    @Nullable Instant silentSince,
    Map<String, Integer> shifts) {
  public static final PolicyState INITIAL =
      new PolicyState(Map.of(), Map.of(), PolicyMode.NORMAL, null, Map.of());

  public PolicyState {
    endpoints = Map.copyOf(endpoints);
    routeWeights = Map.copyOf(routeWeights);
    shifts = Map.copyOf(shifts);
  }
}
