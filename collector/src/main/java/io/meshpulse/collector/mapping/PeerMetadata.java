package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.Peer;

/**
 * The other side of a request as Istio's proxies learn it from their peer (metadata exchange or
 * workload discovery) and keep in the filter state objects {@code downstream_peer} and {@code
 * upstream_peer}, from Istio 1.24 on. A proxy's gRPC access log carries them when its {@code
 * filter_state_objects_to_log} names them, which istiod's access log service configuration does.
 * Each is a {@code google.protobuf.Struct} of strings; these are the ones the mapping uses ({@code
 * service} and {@code revision} are the canonical service and revision). Absent fields, and fields
 * that are not strings, are empty. Its {@code identity} is not used: a principal comes only from a
 * certificate the connection's TLS verified.
 */
record PeerMetadata(
    String workload,
    String namespace,
    String app,
    String version,
    String cluster,
    String canonicalService,
    String canonicalRevision) {

  /** {@code peer} with this metadata's workload labels. */
  Peer applyTo(Peer peer) {
    return peer.toBuilder()
        .setWorkload(workload)
        .setNamespace(namespace)
        .setApp(app)
        .setVersion(version)
        .setMeshCluster(cluster)
        .setCanonicalService(canonicalService)
        .setCanonicalRevision(canonicalRevision)
        .build();
  }
}
