package io.meshpulse.sim.xds;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the cluster weights a route configuration gives to a service: the first route with a route
 * action in the virtual host whose domains (or name) name the service ({@code reviews}, {@code
 * reviews:9080}, {@code reviews.default.svc.cluster.local}, ...), or else in a virtual host whose
 * targets are all clusters of that service (e.g. one route configuration per service with domain
 * {@code *}).
 */
public final class RouteWeights {
  private RouteWeights() {}

  /** Rejects what Envoy rejects: weighted clusters whose weights sum to 0, empty cluster names. */
  public static void validate(RouteConfiguration rc) throws XdsParseException {
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (Route r : vh.getRoutesList()) {
        if (!r.hasRoute()) {
          continue;
        }
        RouteAction a = r.getRoute();
        if (a.getClusterSpecifierCase() == RouteAction.ClusterSpecifierCase.WEIGHTED_CLUSTERS) {
          long sum = 0;
          for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
            if (cw.getName().isEmpty()) {
              throw new XdsParseException(
                  rc.getName() + "/" + vh.getName() + ": weighted cluster without name");
            }
            sum += cw.hasWeight() ? cw.getWeight().getValue() : 0;
          }
          if (sum == 0) {
            throw new XdsParseException(
                rc.getName() + "/" + vh.getName() + ": weighted_clusters weights sum to 0");
          }
        } else if (a.getClusterSpecifierCase() == RouteAction.ClusterSpecifierCase.CLUSTER
            && a.getCluster().isEmpty()) {
          throw new XdsParseException(
              rc.getName() + "/" + vh.getName() + ": route without cluster");
        }
      }
    }
  }

  /** Cluster name → weight, in route order, for the service; empty when no route names it. */
  public static Optional<Map<String, Integer>> forService(
      Collection<RouteConfiguration> configs, String service, int port) {
    for (RouteConfiguration rc : configs) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        if (namesService(vh.getDomainsList(), service, port)
            || vh.getName().equals(service)
            || vh.getName().equals(service + ":" + port)) {
          Optional<Map<String, Integer>> w = firstAction(vh);
          if (w.isPresent()) {
            return w;
          }
        }
      }
    }
    for (RouteConfiguration rc : configs) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        Optional<Map<String, Integer>> w = firstAction(vh);
        if (w.isPresent()
            && !w.get().isEmpty()
            && w.get().keySet().stream().allMatch(c -> isClusterOf(c, service))) {
          return w;
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isClusterOf(String clusterName, String service) {
    return ClusterName.parse(clusterName)
        .map(c -> c.service().equals(service) || c.shortService().equals(service))
        .orElse(false);
  }

  private static boolean namesService(List<String> domains, String service, int port) {
    for (String d : domains) {
      if (d.equals(service) || d.equals(service + ":" + port) || d.startsWith(service + ".")) {
        return true;
      }
    }
    return false;
  }

  private static Optional<Map<String, Integer>> firstAction(VirtualHost vh) {
    for (Route r : vh.getRoutesList()) {
      if (!r.hasRoute()) {
        continue;
      }
      RouteAction a = r.getRoute();
      Map<String, Integer> out = new LinkedHashMap<>();
      switch (a.getClusterSpecifierCase()) {
        case CLUSTER -> out.put(a.getCluster(), 1);
        case WEIGHTED_CLUSTERS -> {
          for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
            out.merge(cw.getName(), cw.hasWeight() ? cw.getWeight().getValue() : 0, Integer::sum);
          }
        }
        default -> {
          continue;
        }
      }
      return Optional.of(out);
    }
    return Optional.empty();
  }
}
