package io.meshpulse.sim.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.meshpulse.sim.model.WeightedPicker;
import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.scenario.SubsetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a proxy's route to a service from its accepted xDS state (pure).
 *
 * <p>Clusters: the route weights of the route configuration that names the service; else the
 * whole-service cluster {@code outbound|port||svc} if CDS has it; else the service's subset
 * clusters weighted by their endpoint counts (an even spread over endpoints); with no xDS at all,
 * the scenario's subsets the same way.
 *
 * <p>Endpoints of a cluster: from its load assignment when one was received, as Envoy picks them:
 * UNHEALTHY, DRAINING and TIMEOUT hosts get nothing; DEGRADED hosts only when no host is healthy;
 * when (healthy + degraded) / all hosts falls below the cluster's healthy_panic_threshold (Envoy's
 * default: 50 %), the cluster panics and every host gets traffic by its weight. Without an
 * assignment, the scenario's endpoints of that subset, evenly.
 */
public final class RoutingTable {
  private RoutingTable() {}

  public static ServiceRoute build(ServiceSpec svc, XdsState state, double defaultPanicPercent) {
    Map<String, Integer> routeWeights =
        RouteWeights.forService(state.routes(), svc.name(), svc.port()).orElse(Map.of());
    Map<String, Integer> targets = new LinkedHashMap<>();
    routeWeights.forEach(
        (c, w) -> {
          if (w > 0) {
            targets.put(c, w);
          }
        });
    if (targets.isEmpty()) {
      String whole = "outbound|" + svc.port() + "||" + svc.name();
      if (state.clusters().containsKey(whole)) {
        targets.put(whole, 1);
      } else if (!knownSubsetClusters(svc, state).isEmpty()) {
        for (String name : knownSubsetClusters(svc, state)) {
          int count = state.assignmentFor(name).map(a -> a.endpoints().size()).orElse(1);
          if (count > 0) {
            targets.put(name, count);
          }
        }
      } else {
        for (SubsetSpec s : svc.subsets()) {
          String name = svc.clusterName(s.name());
          int count =
              state.assignmentFor(name).map(a -> a.endpoints().size()).orElse(s.endpoints().size());
          if (count > 0) {
            targets.put(name, count);
          }
        }
      }
    }
    List<ClusterRoute> routes = new ArrayList<>();
    long[] weights = new long[targets.size()];
    int i = 0;
    for (Map.Entry<String, Integer> t : targets.entrySet()) {
      routes.add(clusterRoute(svc, t.getKey(), state, defaultPanicPercent));
      weights[i++] = t.getValue();
    }
    return new ServiceRoute(svc.name(), new WeightedPicker<>(routes, weights), routeWeights);
  }

  /** The service's subset clusters that CDS delivered, sorted. */
  private static List<String> knownSubsetClusters(ServiceSpec svc, XdsState state) {
    return state.clusters().keySet().stream()
        .filter(
            n ->
                ClusterName.parse(n)
                    .filter(c -> c.port() == svc.port() && !c.subset().isEmpty())
                    .filter(
                        c -> c.service().equals(svc.name()) || c.shortService().equals(svc.name()))
                    .isPresent())
        .sorted()
        .toList();
  }

  static ClusterRoute clusterRoute(
      ServiceSpec svc, String clusterName, XdsState state, double defaultPanicPercent) {
    String subset = ClusterName.parse(clusterName).map(ClusterName::subset).orElse("");
    Optional<Assignment> assignment = state.assignmentFor(clusterName);
    if (assignment.isEmpty()) {
      List<EndpointSpec> eps =
          subset.isEmpty()
              ? svc.endpoints()
              : svc.subset(subset).map(SubsetSpec::endpoints).orElse(svc.endpoints());
      List<String> hosts = eps.stream().map(EndpointSpec::hostPort).toList();
      long[] w = new long[hosts.size()];
      java.util.Arrays.fill(w, 1);
      return new ClusterRoute(clusterName, subset, new WeightedPicker<>(hosts, w), false);
    }
    Cluster cluster = state.clusters().get(clusterName);
    double threshold =
        cluster != null && cluster.getCommonLbConfig().hasHealthyPanicThreshold()
            ? cluster.getCommonLbConfig().getHealthyPanicThreshold().getValue()
            : defaultPanicPercent;
    List<EndpointView> all = assignment.get().endpoints();
    if (all.isEmpty()) {
      return new ClusterRoute(clusterName, subset, null, false);
    }
    List<EndpointView> healthy = all.stream().filter(EndpointView::healthy).toList();
    List<EndpointView> degraded = all.stream().filter(EndpointView::degraded).toList();
    double usablePercent = 100.0 * (healthy.size() + degraded.size()) / all.size();
    boolean panic = usablePercent < threshold;
    List<EndpointView> chosen = panic ? all : (!healthy.isEmpty() ? healthy : degraded);
    if (chosen.isEmpty()) {
      return new ClusterRoute(clusterName, subset, null, false);
    }
    List<String> hosts = chosen.stream().map(EndpointView::hostPort).toList();
    long[] w = chosen.stream().mapToLong(EndpointView::weight).toArray();
    return new ClusterRoute(clusterName, subset, new WeightedPicker<>(hosts, w), panic);
  }
}
