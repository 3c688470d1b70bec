package io.meshpulse.xds.snapshot;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.topology.ServiceSpec;
import java.util.List;
import java.util.Map;

/**
 * RDS: a RouteConfiguration per service (named like the service) with one virtual host matching
 * every authority and one route whose weighted clusters carry the subsets' route weights. Subsets
 * with weight 0 are left out; a single remaining subset is routed to directly. Where services share
 * a port, an Envoy sidecar gets one route configuration for the port instead ({@link #sharedPort}).
 */
public final class RouteBuilder {
  private RouteBuilder() {}

  public static String routeName(ServiceRouting routing) {
    return routing.service().name();
  }

  /**
   * The route configuration of a port several services share, named like its listener ({@link
   * ListenerBuilder#addressName}, no service's name, which is a DNS name): each service's virtual
   * hosts, with the catch-all domain {@code *} narrowed to the service's own names ({@code
   * reviews}, {@code reviews:9080}, and {@code reviews.*} for a short name, so that {@code
   * reviews.shop.svc.cluster.local} finds it), so the request's host picks the service. A host that
   * names none of them gets Envoy's 404.
   */
  public static RouteConfiguration sharedPort(
      int port, Map<ServiceSpec, RouteConfiguration> services) {
    RouteConfiguration.Builder shared =
        RouteConfiguration.newBuilder().setName(ListenerBuilder.addressName(port));
    services.forEach(
        (service, route) -> {
          for (VirtualHost vh : route.getVirtualHostsList()) {
            VirtualHost.Builder narrowed =
                vh.toBuilder()
                    .setName(
                        route.getVirtualHostsCount() == 1
                            ? service.name()
                            : service.name() + "/" + vh.getName());
            if (vh.getDomainsList().equals(List.of("*"))) {
              narrowed.clearDomains().addAllDomains(domains(service.name(), port));
            }
            shared.addVirtualHosts(narrowed);
          }
        });
    return shared.build();
  }

  private static List<String> domains(String service, int port) {
    return service.contains(".")
        ? List.of(service, service + ":" + port)
        : List.of(service, service + ":" + port, service + ".*");
  }

  public static RouteConfiguration build(ServiceRouting routing) {
    RouteAction.Builder action = RouteAction.newBuilder();
    Map<String, Integer> weights = routing.subsetWeights();
    long positive = weights.values().stream().filter(w -> w > 0).count();
    if (positive == 0) {
      action.setCluster(ClusterNames.whole(routing.service()));
    } else if (positive == 1) {
      String subset =
          weights.entrySet().stream()
              .filter(e -> e.getValue() > 0)
              .findFirst()
              .orElseThrow()
              .getKey();
      action.setCluster(ClusterNames.subset(routing.service(), subset));
    } else {
      WeightedCluster.Builder wc = WeightedCluster.newBuilder();
      weights.forEach(
          (subset, w) -> {
            if (w > 0) {
              wc.addClusters(
                  WeightedCluster.ClusterWeight.newBuilder()
                      .setName(ClusterNames.subset(routing.service(), subset))
                      .setWeight(UInt32Value.of(w)));
            }
          });
      action.setWeightedClusters(wc);
    }
    return RouteConfiguration.newBuilder()
        .setName(routeName(routing))
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(routing.service().name())
                .addDomains("*")
                .addRoutes(
                    Route.newBuilder()
                        .setName("default")
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(action)))
        .build();
  }
}
