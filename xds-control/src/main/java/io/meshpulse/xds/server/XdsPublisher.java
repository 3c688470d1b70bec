package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.routing.ServedRoutes;
import io.meshpulse.xds.snapshot.AccessLogOptions;
import io.meshpulse.xds.snapshot.ProxyKind;
import io.meshpulse.xds.snapshot.VersionedSnapshot;
import io.meshpulse.xds.snapshot.XdsSnapshots;
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
  private final MeshSnapshotCache cache = new MeshSnapshotCache();
  private final XdsMetrics metrics;
  private final AccessLogOptions accessLog;
  private final Map<ProxyKind, String> lastVersions = new EnumMap<>(ProxyKind.class);
  private @Nullable String version;

  public XdsPublisher(XdsMetrics metrics) {
    this(metrics, AccessLogOptions.NONE);
  }

  /**
   * @param accessLog the access log served to Envoys' HTTP connection managers
   */
  public XdsPublisher(XdsMetrics metrics, AccessLogOptions accessLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
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
}
