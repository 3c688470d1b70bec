package io.meshpulse.xds.snapshot;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Snapshot;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;

/**
 * An xDS snapshot (CDS, EDS, LDS, RDS) whose resource collections carry per-resource versions.
 * java-control-plane's own v3 factories take one version per type, which makes every change resend
 * every resource of the type.
 */
public final class VersionedSnapshot extends Snapshot {
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;

  VersionedSnapshot(
      SnapshotResources<Cluster> clusters,
      SnapshotResources<ClusterLoadAssignment> endpoints,
      SnapshotResources<Listener> listeners,
      SnapshotResources<RouteConfiguration> routes) {
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.listeners = listeners;
    this.routes = routes;
  }

  private SnapshotResources<? extends Message> of(Resources.ResourceType type) {
    return switch (type) {
      case CLUSTER -> clusters;
      case ENDPOINT -> endpoints;
      case LISTENER -> listeners;
      case ROUTE -> routes;
      default -> SnapshotResources.create(List.of(), "");
    };
  }

  @Override
  public String version(Resources.ResourceType type, List<String> resourceNames) {
    return of(type).version(resourceNames);
  }

  @Override
  public Map<String, ? extends Message> resources(Resources.ResourceType type) {
    return of(type).resources();
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"}) // SnapshotResources<T> maps are read-only views
  public Map<String, VersionedResource<? extends Message>> versionedResources(
      Resources.ResourceType type) {
    return (Map) of(type).versionedResources();
  }

  /** The version of one named resource, or empty when it is not in the snapshot. */
  public String resourceVersion(Resources.ResourceType type, String name) {
    VersionedResource<?> r = of(type).versionedResources().get(name);
    return r == null ? "" : r.version();
  }
}
