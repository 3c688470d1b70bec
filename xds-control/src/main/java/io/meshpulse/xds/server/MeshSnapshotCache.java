package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.SimpleCache;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.meshpulse.xds.snapshot.ProxyKind;
import io.meshpulse.xds.snapshot.VersionedSnapshot;
import java.util.Set;
import java.util.function.Consumer;

/**
 * java-control-plane's cache keyed by proxy kind, holding snapshots with per-resource versions.
 *
 * <p>Two changes to its behaviour:
 *
 * <ul>
 *   <li>A NACK (a request with error_detail) carries the last version the client accepted, and the
 *       names it has accepted stay those of its last ACK (none on a new stream). SimpleCache would
 *       answer it at once with the very version just rejected, because of the version or because
 *       the names look new, and again after every NACK, as fast as the network allows. Here a
 *       NACKed watch waits for the next change instead.
 *   <li>A proxyless gRPC client requests listeners and clusters by name, all of its targets in one
 *       request. In ADS mode SimpleCache answers only once every requested name is in the snapshot,
 *       so one target the topology does not know (or a cluster a topology change removed) kept
 *       every update from that client. Its watches get what the snapshot has, as the xDS protocol
 *       intends; the version hash counts a missing name, so its arrival is pushed. Envoy requests
 *       endpoints and routes by the names this server sent, and keeps ADS's all-or-nothing answers,
 *       which keep an update's clusters ahead of their endpoints.
 * </ul>
 */
final class MeshSnapshotCache extends SimpleCache<ProxyKind, VersionedSnapshot> {
  private final ProxyNodeGroup groups = new ProxyNodeGroup();

  MeshSnapshotCache() {
    super(new ProxyNodeGroup());
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    ProxyKind kind = groups.hash(request.v3Request().getNode());
    XdsRequest effective = request;
    Set<String> known = knownResourceNames;
    if (request.hasErrorDetail()) {
      VersionedSnapshot current = getSnapshot(kind);
      if (current != null) {
        String version = current.version(request.getResourceType(), request.getResourceNamesList());
        effective =
            XdsRequest.create(request.v3Request().toBuilder().setVersionInfo(version).build());
      }
      // The names of the rejected response: not new to the client, whatever it last ACKed.
      known = Set.copyOf(request.getResourceNamesList());
    }
    return super.createWatch(
        ads && kind != ProxyKind.PROXYLESS_GRPC,
        effective,
        known,
        responseConsumer,
        hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }
}
