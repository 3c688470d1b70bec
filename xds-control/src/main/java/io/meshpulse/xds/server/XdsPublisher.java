package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.EndpointStatus;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.routing.ServedRoutes;
import io.meshpulse.xds.snapshot.AccessLogOptions;
import io.meshpulse.xds.snapshot.ProxyKind;
import io.meshpulse.xds.snapshot.VersionedSnapshot;
import io.meshpulse.xds.snapshot.XdsSnapshots;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns a routing table into snapshots for each proxy kind and hands them to the cache, which
 * answers the open watches. Not thread-safe by design: the policy loop's single thread is its only
 * caller, so xDS state changes are serialized.
 */
public final class XdsPublisher {
  private final MeshSnapshotCache cache;
  private final XdsMetrics metrics;
  private final AccessLogOptions accessLog;
  private final Map<ProxyKind, String> lastVersions = new EnumMap<>(ProxyKind.class);
  private @Nullable String version;
  // What the last publication was built from: an evaluation that changes none of it builds nothing.
  private @Nullable Inputs published;

  public XdsPublisher(XdsMetrics metrics) {
    this(metrics, AccessLogOptions.NONE);
  }

  /**
   * @param accessLog the access log served to Envoys' HTTP connection managers
   */
  public XdsPublisher(XdsMetrics metrics, AccessLogOptions accessLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.cache = new MeshSnapshotCache(metrics.streams());
  }

  ConfigWatcher cache() {
    return cache;
  }

  /**
   * Publishes the table if it differs from the last one published.
   *
   * @return the xDS version now served (a hash of every resource version)
   */
  public String publish(RoutingTable table, PolicyConfig config) {
    return publish(table, ServedRoutes.EMPTY, config);
  }

  /**
   * Publishes the table and the configured routes if they differ from the last ones published.
   *
   * @return the xDS version now served to Envoy sidecars
   */
  public String publish(RoutingTable table, ServedRoutes routes, PolicyConfig config) {
    Inputs inputs = Inputs.of(table, routes, config);
    if (version != null && inputs.equals(published)) {
      return version;
    }
    metrics.snapshotBuilds().increment();
    for (ProxyKind kind : ProxyKind.values()) {
      VersionedSnapshot snapshot =
          XdsSnapshots.snapshot(XdsSnapshots.resources(table, routes, config, kind, accessLog));
      String v = version(snapshot);
      if (!v.equals(lastVersions.get(kind))) {
        metrics.pushTimer().record(() -> cache.setSnapshot(kind, snapshot));
        lastVersions.put(kind, v);
      }
    }
    version = lastVersions.get(ProxyKind.ENVOY);
    published = inputs;
    return version;
  }

  /** The version last published, or null before the first publication. */
  public @Nullable String version() {
    return version;
  }

  private static String version(VersionedSnapshot s) {
    StringBuilder b = new StringBuilder();
    for (ResourceType t :
        List.of(
            ResourceType.CLUSTER,
            ResourceType.ENDPOINT,
            ResourceType.LISTENER,
            ResourceType.ROUTE)) {
      b.append(s.version(t, List.of()));
    }
    return com.google.common.hash.Hashing.sha256()
        .hashString(b, java.nio.charset.StandardCharsets.UTF_8)
        .toString()
        .substring(0, 16);
  }

  /**
   * What the served resources are built from: the routing table without its scores and reasons,
   * which no resource carries, the configured routes and the policy's settings. Most evaluations of
   * a healthy fleet change only scores, and comparing these costs far less than building and
   * hashing every resource for every proxy kind.
   */
  private record Inputs(List<ServiceInput> services, ServedRoutes routes, PolicyConfig config) {
    static Inputs of(RoutingTable table, ServedRoutes routes, PolicyConfig config) {
      List<ServiceInput> services = new ArrayList<>(table.services().size());
      for (ServiceRouting s : table.services().values()) {
        List<EndpointInput> endpoints = new ArrayList<>(s.endpoints().size());
        for (EndpointRouting e : s.endpoints()) {
          endpoints.add(
              new EndpointInput(e.id(), e.subset(), e.locality(), e.weight(), e.status()));
        }
        services.add(
            new ServiceInput(s.service(), List.copyOf(s.subsetWeights().entrySet()), endpoints));
      }
      return new Inputs(services, routes, config);
    }
  }

  /** The subset weights as a list, so their order counts too. */
  private record ServiceInput(
      ServiceSpec service,
      List<Map.Entry<String, Integer>> subsetWeights,
      List<EndpointInput> endpoints) {}

  private record EndpointInput(
      EndpointId id, String subset, LocalitySpec locality, int weight, EndpointStatus status) {}
}
