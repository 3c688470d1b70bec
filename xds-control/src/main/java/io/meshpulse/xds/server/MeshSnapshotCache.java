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
 * <p>One change to its behaviour: a NACK (a request with error_detail) carries the last version the
 * client accepted, so SimpleCache would answer it at once with the very version just rejected, and
 * again after every NACK. Here a NACKed watch waits for the next change instead.
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
    XdsRequest effective = request;
    if (request.hasErrorDetail()) {
      VersionedSnapshot current = getSnapshot(groups.hash(request.v3Request().getNode()));
      if (current != null) {
        String version = current.version(request.getResourceType(), request.getResourceNamesList());
        effective =
            XdsRequest.create(request.v3Request().toBuilder().setVersionInfo(version).build());
      }
    }
    return super.createWatch(
        ads,
        effective,
        knownResourceNames,
        responseConsumer,
        hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
  }
}
