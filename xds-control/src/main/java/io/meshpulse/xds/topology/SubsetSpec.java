package io.meshpulse.xds.topology;

import java.util.List;
import java.util.Map;

/**
 * A subset (version) of a service. {@code routeWeight} is the share of the service's traffic the
 * subset gets when every endpoint is healthy; by default the subset's endpoint count, which spreads
 * traffic evenly over all endpoints as if there were no subsets.
 */
public record SubsetSpec(
    String name, Map<String, String> labels, int routeWeight, List<EndpointSpec> endpoints) {
  public SubsetSpec {
    labels = Map.copyOf(labels);
    endpoints = List.copyOf(endpoints);
  }
}
