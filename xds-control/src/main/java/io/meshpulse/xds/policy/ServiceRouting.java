package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.ServiceSpec;
import java.util.List;
import java.util.Map;

/**
 * How one service is served: its endpoints and the route weight of each subset (per mille of the
 * service's traffic; subsets with weight 0 get no traffic).
 */
public record ServiceRouting(
    ServiceSpec service, Map<String, Integer> subsetWeights, List<EndpointRouting> endpoints) {
  public ServiceRouting {
    subsetWeights =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subsetWeights));
    endpoints = List.copyOf(endpoints);
  }

  public List<EndpointRouting> endpoints(String subset) {
    return endpoints.stream().filter(e -> e.subset().equals(subset)).toList();
  }
}
