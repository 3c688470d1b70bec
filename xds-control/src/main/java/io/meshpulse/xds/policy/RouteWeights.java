package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Route weights of a service's subsets, per mille: each subset's configured weight scaled by its
 * remaining capacity (the sum of its in-rotation endpoint weights over its neutral capacity), so
 * traffic shifts away from a subset whose endpoints are ejected or degraded.
 */
final class RouteWeights {
  private RouteWeights() {}

  static Map<String, Integer> compute(
      ServiceSpec service, List<EndpointRouting> endpoints, PolicyConfig config) {
    return compute(service, endpoints, config, List.of());
  }

  /**
   * As {@link #compute(ServiceSpec, List, PolicyConfig)}, then moves each shift's share of its
   * {@code from} subset's weight to its {@code to} subset (a shift naming a subset the service does
   * not have changes nothing, nor does one to a subset with no endpoint in rotation, such as a
   * canary whose endpoints are all ejected).
   */
  static Map<String, Integer> compute(
      ServiceSpec service,
      List<EndpointRouting> endpoints,
      PolicyConfig config,
      List<RouteShift> shifts) {
    Map<String, Double> raw = new LinkedHashMap<>();
    Map<String, Double> base = new LinkedHashMap<>();
    Map<String, Double> capacities = new LinkedHashMap<>();
    for (SubsetSpec subset : service.subsets()) {
      List<EndpointRouting> members =
          endpoints.stream().filter(e -> e.subset().equals(subset.name())).toList();
      double capacity = 0;
      if (!members.isEmpty()) {
        long inRotation =
            members.stream().filter(e -> !e.ejected()).mapToLong(EndpointRouting::weight).sum();
        capacity = (double) inRotation / ((long) config.neutralWeight() * members.size());
      }
      capacities.put(subset.name(), capacity);
      base.put(subset.name(), (double) subset.routeWeight());
      raw.put(subset.name(), subset.routeWeight() * Math.min(1.0, capacity));
    }
    double total = raw.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Double> shares = total > 0 ? raw : base;
    double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Integer> result = new LinkedHashMap<>();
    shares.forEach((k, v) -> result.put(k, sum > 0 ? (int) Math.round(1000 * v / sum) : 0));
    for (RouteShift shift : shifts) {
      Integer from = result.get(shift.from());
      Integer to = result.get(shift.to());
      if (!shift.service().equals(service.name())
          || !shift.route().isEmpty()
          || from == null
          || to == null) {
        continue; // another service's, or scoped to one route of the routing files
      }
      if (capacities.get(shift.to()) == 0) {
        continue; // no endpoint of it in rotation: its cluster would panic
      }
      int moved = from - (int) Math.round(from * shift.remainingPercent() / 100.0);
      result.put(shift.from(), from - moved);
      result.put(shift.to(), to + moved);
    }
    return result;
  }
}
