package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Reporter;
import java.nio.charset.StandardCharsets;

/**
 * What a stream's entries with one upstream cluster, one pair of principals and one peer metadata
 * share: reporter, peers, cluster, subset, security policy, and the record fields 1 to 7 already on
 * the wire. Built once per stream and combination, then reused for every such entry.
 */
final class EntryContext {
  final Reporter reporter;
  final Peer source;
  final Peer destination;
  final String cluster;
  final String subset;
  final String securityPolicy;

  /** The entries' peer metadata was not a readable Struct: the peer is mapped without it. */
  final boolean peerMetadataUnreadable;

  /** AccessRecord fields 1 (reporter) to 7 (upstream_cluster), serialized. */
  final byte[] prefix;

  /** The cluster's UTF-8 bytes, the start of every record key. */
  final byte[] clusterBytes;

  /** AccessRecord field 24 (connection_security_policy), serialized. */
  final byte[] securityPolicyField;

  EntryContext(
      NodeIdentity node,
      Reporter reporter,
      Peer source,
      Peer destination,
      String cluster,
      String subset,
      String upstreamCluster,
      String securityPolicy,
      boolean peerMetadataUnreadable) {
    this.reporter = reporter;
    this.source = source;
    this.destination = destination;
    this.cluster = cluster;
    this.subset = subset;
    this.securityPolicy = securityPolicy;
    this.peerMetadataUnreadable = peerMetadataUnreadable;
    this.clusterBytes = utf8(cluster);
    WireWriter out = new WireWriter();
    out.uint32(AccessRecord.REPORTER_FIELD_NUMBER, reporter.getNumber());
    out.string(AccessRecord.NODE_ID_FIELD_NUMBER, utf8(node.nodeId()));
    message(out, AccessRecord.SOURCE_FIELD_NUMBER, source.toByteArray());
    message(out, AccessRecord.DESTINATION_FIELD_NUMBER, destination.toByteArray());
    out.string(AccessRecord.CLUSTER_FIELD_NUMBER, clusterBytes);
    out.string(AccessRecord.SUBSET_FIELD_NUMBER, utf8(subset));
    out.string(AccessRecord.UPSTREAM_CLUSTER_FIELD_NUMBER, utf8(upstreamCluster));
    this.prefix = out.toByteArray();
    out.reset();
    out.string(AccessRecord.CONNECTION_SECURITY_POLICY_FIELD_NUMBER, utf8(securityPolicy));
    this.securityPolicyField = out.toByteArray();
  }

  /** A message field, written even when empty (a set message field is present). */
  private static void message(WireWriter out, int field, byte[] bytes) {
    out.tag(field, 2);
    out.varint32(bytes.length);
    out.raw(bytes);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
