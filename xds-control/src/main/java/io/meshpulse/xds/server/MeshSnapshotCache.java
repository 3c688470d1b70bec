package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.SimpleCache;
import io.meshpulse.xds.snapshot.ProxyKind;
import io.meshpulse.xds.snapshot.VersionedSnapshot;

/** java-control-plane's cache keyed by proxy kind, holding snapshots with per-resource versions. */
final class MeshSnapshotCache extends SimpleCache<ProxyKind, VersionedSnapshot> {
  MeshSnapshotCache() {
    super(new ProxyNodeGroup());
  }
}
