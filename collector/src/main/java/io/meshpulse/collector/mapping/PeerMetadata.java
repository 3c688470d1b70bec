package io.meshpulse.collector.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshpulse.model.v1.Peer;

/**
 * The other side of a request as Istio's proxies learn it from their peer (metadata exchange or
 * workload discovery) and keep in the filter state objects {@code downstream_peer} and {@code
 * upstream_peer}, from Istio 1.24 on. A proxy's gRPC access log carries them when its {@code
 * filter_state_objects_to_log} names them, which istiod's access log service configuration does.
 * Each is a {@code google.protobuf.Struct} of strings: {@code workload}, {@code namespace}, {@code
 * app}, {@code version}, {@code cluster}, {@code service} (the canonical service), {@code revision}
 * (the canonical revision), {@code identity} and others this does not use. Absent fields are empty.
 */
record PeerMetadata(
    String workload,
    String namespace,
    String app,
    String version,
    String cluster,
    String canonicalService,
    String canonicalRevision,
    String identity) {

  private static final String SPIFFE = "spiffe://";

  /** Reads the Struct in {@code buf[off, off + len)}; fields that are not strings are absent. */
  static PeerMetadata read(byte[] buf, int off, int len) throws InvalidProtocolBufferException {
    Struct struct = Struct.parser().parseFrom(buf, off, len);
    return new PeerMetadata(
        string(struct, "workload"),
        string(struct, "namespace"),
        string(struct, "app"),
        string(struct, "version"),
        string(struct, "cluster"),
        string(struct, "service"),
        string(struct, "revision"),
        string(struct, "identity"));
  }

  /**
   * {@code peer} with this metadata's workload labels. The principal stays the peer certificate's
   * when there is one, else it is the metadata's identity when that is a SPIFFE id.
   */
  Peer applyTo(Peer peer) {
    Peer.Builder builder =
        peer.toBuilder()
            .setWorkload(workload)
            .setNamespace(namespace)
            .setApp(app)
            .setVersion(version)
            .setMeshCluster(cluster)
            .setCanonicalService(canonicalService)
            .setCanonicalRevision(canonicalRevision);
    if (peer.getPrincipal().isEmpty() && identity.startsWith(SPIFFE)) {
      builder.setPrincipal(identity);
    }
    return builder.build();
  }

  private static String string(Struct struct, String field) {
    Value value = struct.getFieldsMap().get(field);
    return value != null && value.getKindCase() == Value.KindCase.STRING_VALUE
        ? value.getStringValue()
        : "";
  }
}
