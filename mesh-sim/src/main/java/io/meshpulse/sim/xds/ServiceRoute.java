package io.meshpulse.sim.xds;

import io.meshpulse.sim.model.WeightedPicker;
import java.util.Map;

/**
 * How one proxy routes requests to one service: the clusters and their route weights.
 *
 * @param routeWeights the weights the route configuration gives (empty: no route names the service)
 */
public record ServiceRoute(
    String service, WeightedPicker<ClusterRoute> clusters, Map<String, Integer> routeWeights) {}
