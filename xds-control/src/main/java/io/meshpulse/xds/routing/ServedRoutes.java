package io.meshpulse.xds.routing;

import io.meshpulse.xds.routing.RoutingConfig.VirtualService;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The routing configuration as served: the configuration and, for each route ({@link
 * RoutingConfig.HttpRoute#key}), its destinations' weights after the route shifts in force.
 */
public record ServedRoutes(RoutingConfig config, Map<String, List<WeightedDestination>> weights) {
  public static final ServedRoutes EMPTY = new ServedRoutes(RoutingConfig.EMPTY, Map.of());

  public ServedRoutes {
    weights = Map.copyOf(weights);
  }

  /** The virtual service the mesh's clients use for {@code service}, if there is one. */
  public Optional<VirtualService> meshVirtualService(String service) {
    return config.virtualServices().stream()
        .filter(vs -> vs.appliesToMesh() && vs.hosts().contains(service))
        .findFirst();
  }

  /** The weights a route is served with (its written weights when no shift applies). */
  public List<WeightedDestination> weights(RoutingConfig.HttpRoute route) {
    List<WeightedDestination> w = weights.get(route.key());
    return w != null ? w : RouteComposer.written(route);
  }
}
