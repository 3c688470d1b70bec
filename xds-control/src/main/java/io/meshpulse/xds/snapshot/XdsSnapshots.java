package io.meshpulse.xds.snapshot;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.routing.RoutingConfig.VirtualService;
import io.meshpulse.xds.routing.ServedRoutes;
import io.meshpulse.xds.topology.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the xDS snapshot of each node group from the routing table, with per-resource versions
 * (see {@link ResourceVersions}).
 */
public final class XdsSnapshots {
  private XdsSnapshots() {}

  /** The resources of one group, before versioning. */
  public record Resources(
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners,
      List<RouteConfiguration> routes) {}

  public static Resources resources(RoutingTable table, PolicyConfig config, ProxyKind kind) {
    return resources(table, ServedRoutes.EMPTY, config, kind);
  }

  /**
   * The resources of one proxy kind. Every kind gets every cluster and its endpoints; sidecars and
   * proxyless clients get a listener and route configuration per service (from the service's
   * virtual service for the mesh when it has one); gateways get the gateway listeners and routes.
   */
  public static Resources resources(
      RoutingTable table, ServedRoutes served, PolicyConfig config, ProxyKind kind) {
    return resources(table, served, config, kind, AccessLogOptions.NONE);
  }

  /** As above, with the access log Envoys (sidecars and gateways) are served. */
  public static Resources resources(
      RoutingTable table,
      ServedRoutes served,
      PolicyConfig config,
      ProxyKind kind,
      AccessLogOptions accessLog) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    Map<String, ServiceSpec> services = new LinkedHashMap<>();
    table.services().forEach((name, routing) -> services.put(name, routing.service()));
    // Envoy sidecars: the services of each port, whose listeners are built after the loop.
    Map<Integer, List<PortService>> ports = new LinkedHashMap<>();
    for (ServiceRouting routing : table.services().values()) {
      clusters.addAll(ClusterBuilder.build(routing.service(), config, kind));
      endpoints.addAll(EndpointBuilder.build(routing));
      if (kind == ProxyKind.GATEWAY) {
        continue;
      }
      String name = routing.service().name();
      Optional<VirtualService> vs = served.meshVirtualService(name);
      boolean faults = vs.isPresent() && RouteTranslator.injectsFaults(vs.get());
      RouteConfiguration route =
          vs.isPresent()
              ? RouteTranslator.meshRoute(name, vs.get(), served, services)
              : RouteBuilder.build(routing);
      if (kind == ProxyKind.ENVOY) {
        ports
            .computeIfAbsent(routing.service().port(), p -> new ArrayList<>())
            .add(new PortService(routing, route, faults));
      } else {
        routes.add(route);
        listeners.addAll(ListenerBuilder.proxyless(routing, faults));
      }
    }
    ports.forEach(
        (port, onPort) -> {
          if (onPort.size() == 1) {
            PortService only = onPort.get(0);
            routes.add(only.route());
            listeners.add(ListenerBuilder.envoy(only.routing(), only.faults(), accessLog));
          } else {
            // One listener per address: a virtual host per service, chosen by the request's host.
            Map<ServiceSpec, RouteConfiguration> byService = new LinkedHashMap<>();
            onPort.forEach(ps -> byService.put(ps.routing().service(), ps.route()));
            routes.add(RouteBuilder.sharedPort(port, byService));
            listeners.add(
                ListenerBuilder.envoyPort(
                    port, onPort.stream().anyMatch(PortService::faults), accessLog));
          }
        });
    if (kind == ProxyKind.GATEWAY) {
      listeners.addAll(RouteTranslator.gatewayListeners(served, accessLog));
      routes.addAll(RouteTranslator.gatewayRoutes(served, services));
    }
    return new Resources(clusters, endpoints, listeners, routes);
  }

  /** A service an Envoy sidecar reaches on its port, with its route configuration. */
  private record PortService(ServiceRouting routing, RouteConfiguration route, boolean faults) {}

  public static VersionedSnapshot snapshot(Resources r) {
    return new VersionedSnapshot(
        versioned(r.clusters(), Cluster::getName),
        versioned(r.endpoints(), ClusterLoadAssignment::getClusterName),
        versioned(r.listeners(), Listener::getName),
        versioned(r.routes(), RouteConfiguration::getName));
  }

  private static <T extends Message> SnapshotResources<T> versioned(
      List<T> resources, java.util.function.Function<T, String> name) {
    Map<String, VersionedResource<T>> byName = new LinkedHashMap<>();
    for (T r : resources) {
      byName.put(name.apply(r), ResourceVersions.versioned(r));
    }
    return SnapshotResources.create(byName.values(), ResourceVersions.resolver(byName));
  }
}
