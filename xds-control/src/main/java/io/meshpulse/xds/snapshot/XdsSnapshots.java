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
    for (ServiceRouting routing : table.services().values()) {
      clusters.addAll(ClusterBuilder.build(routing.service(), config, kind));
      endpoints.addAll(EndpointBuilder.build(routing));
      if (kind == ProxyKind.GATEWAY) {
        continue;
      }
      String name = routing.service().name();
      Optional<VirtualService> vs = served.meshVirtualService(name);
      boolean faults = vs.isPresent() && RouteTranslator.injectsFaults(vs.get());
      routes.add(
          vs.isPresent()
              ? RouteTranslator.meshRoute(name, vs.get(), served, services)
              : RouteBuilder.build(routing));
      if (kind == ProxyKind.ENVOY) {
        listeners.add(ListenerBuilder.envoy(routing, faults, accessLog));
      } else {
        listeners.addAll(ListenerBuilder.proxyless(routing, faults));
      }
    }
    if (kind == ProxyKind.GATEWAY) {
      listeners.addAll(RouteTranslator.gatewayListeners(served, accessLog));
      routes.addAll(RouteTranslator.gatewayRoutes(served, services));
    }
    return new Resources(clusters, endpoints, listeners, routes);
  }

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
