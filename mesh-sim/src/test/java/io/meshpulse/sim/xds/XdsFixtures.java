package io.meshpulse.sim.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.Map;

/** Builders of the xDS resources an Istio-like control plane serves, for tests. */
public final class XdsFixtures {
  private XdsFixtures() {}

  /** An endpoint: {@code host:port}, weight, status. */
  public record Ep(String hostPort, int weight, HealthStatus status) {
    public static Ep of(String hostPort, int weight) {
      return new Ep(hostPort, weight, HealthStatus.HEALTHY);
    }
  }

  public static Cluster edsCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(
                    ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
        .build();
  }

  public static Cluster edsCluster(String name, double panicThresholdPercent) {
    return edsCluster(name).toBuilder()
        .setCommonLbConfig(
            Cluster.CommonLbConfig.newBuilder()
                .setHealthyPanicThreshold(
                    io.envoyproxy.envoy.type.v3.Percent.newBuilder()
                        .setValue(panicThresholdPercent)))
        .build();
  }

  public static ClusterLoadAssignment cla(String cluster, Ep... endpoints) {
    LocalityLbEndpoints.Builder loc = LocalityLbEndpoints.newBuilder();
    for (Ep e : endpoints) {
      int colon = e.hostPort().lastIndexOf(':');
      loc.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress(e.hostPort().substring(0, colon))
                                      .setPortValue(
                                          Integer.parseInt(e.hostPort().substring(colon + 1))))))
              .setHealthStatus(e.status())
              .setLoadBalancingWeight(UInt32Value.of(e.weight())));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(loc).build();
  }

  /** A route configuration with one virtual host for the service, weighted over clusters. */
  public static RouteConfiguration route(
      String name, String service, int port, Map<String, Integer> weights) {
    WeightedCluster.Builder wc = WeightedCluster.newBuilder();
    weights.forEach(
        (c, w) ->
            wc.addClusters(
                WeightedCluster.ClusterWeight.newBuilder()
                    .setName(c)
                    .setWeight(UInt32Value.of(w))));
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(service + ":" + port)
                .addDomains(service)
                .addDomains(service + ":" + port)
                .addDomains(service + ".default.svc.cluster.local")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setWeightedClusters(wc))))
        .build();
  }

  private static HttpConnectionManager.Builder hcm() {
    return HttpConnectionManager.newBuilder().setStatPrefix("outbound");
  }

  /** A listener whose HttpConnectionManager takes its routes from RDS. */
  public static Listener rdsListener(String name, String routeName) {
    HttpConnectionManager m =
        hcm()
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName(routeName)
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName(name)
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(m))))
        .build();
  }

  /** An API listener (proxyless gRPC style) with the route configuration inline. */
  public static Listener inlineApiListener(String name, RouteConfiguration rc) {
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(
            ApiListener.newBuilder().setApiListener(Any.pack(hcm().setRouteConfig(rc).build())))
        .build();
  }
}
