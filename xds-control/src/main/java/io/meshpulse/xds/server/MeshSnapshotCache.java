package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.SimpleCache;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshpulse.xds.snapshot.ProxyKind;
import io.meshpulse.xds.snapshot.VersionedSnapshot;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * java-control-plane's cache keyed by proxy kind, holding snapshots with per-resource versions.
 *
 * <p>Three changes to its behaviour:
 *
 * <ul>
 *   <li>A request without a node is served by its stream's node ({@link AdsStreams}). Only a
 *       stream's first request must carry one; SimpleCache groups every request by its own node, so
 *       a gateway or a proxyless client that sends it once would get the sidecars' resources.
 *   <li>A NACK (a request with error_detail) carries the last version the client accepted, and the
 *       names it has accepted stay those of its last ACK (none on a new stream). SimpleCache would
 *       answer it at once with the very version just rejected, because of the version or because
 *       the names look new, and again after every NACK, as fast as the network allows. Here a
 *       NACKed watch opens at the rejected version with the rejected names: it is answered at once
 *       if a snapshot was published since that response, and otherwise at the next change.
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
  private final AdsStreams streams;

  MeshSnapshotCache(AdsStreams streams) {
    super(new ProxyNodeGroup());
    this.streams = streams;
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    DiscoveryRequest v3 = request.v3Request();
    AdsStreams.Context stream = streams.take(v3);
    boolean nodeFromStream = !v3.hasNode() && stream != null && stream.node() != null;
    Node node = nodeFromStream ? stream.node() : v3.getNode();
    Set<String> known = knownResourceNames;
    XdsRequest served = request;
    if (request.hasErrorDetail()) {
      String version = stream == null ? null : stream.rejectedVersion();
      if (version == null) {
        // Not a NACK of the stream's latest response as far as the callbacks saw: take the client
        // to hold what is current, so that at least the rejected version is not sent again.
        VersionedSnapshot current = getSnapshot(groups.hash(node));
        version =
            current == null
                ? v3.getVersionInfo()
                : current.version(request.getResourceType(), request.getResourceNamesList());
      }
      served = XdsRequest.create(v3.toBuilder().setNode(node).setVersionInfo(version).build());
      // The names of the rejected response: not new to the client, whatever it last ACKed.
      known = Set.copyOf(request.getResourceNamesList());
    } else if (nodeFromStream) {
      served = XdsRequest.create(v3.toBuilder().setNode(node).build());
    }
    ProxyKind kind = groups.hash(served.v3Request().getNode());
    return super.createWatch(
        ads && kind != ProxyKind.PROXYLESS_GRPC,
        served,
        known,
        responseConsumer,
        hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    DeltaDiscoveryRequest v3 = request.v3Request();
    AdsStreams.Context stream = streams.take(v3);
    DeltaXdsRequest served =
        v3.hasNode() || stream == null || stream.node() == null
            ? request
            : DeltaXdsRequest.create(v3.toBuilder().setNode(stream.node()).build());
    return super.createDeltaWatch(
        served,
        requesterVersion,
        resourceVersions,
        pendingResources,
        isWildcard,
        responseConsumer,
        hasClusterChanged);
  }
}
