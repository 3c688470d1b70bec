package io.meshpulse.collector.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Maps Envoy HTTP and TCP access log entries of one proxy to {@link AccessRecord}s. The reporting
 * proxy's identity fills the side given by the traffic direction: outbound clusters make it the
 * source (reporter SOURCE), inbound clusters the destination (reporter DESTINATION). The work is
 * done by a per-stream {@link AccessLogDecoder} ({@link #newDecoder()}) straight from the wire
 * bytes; this class holds the options and the peers every stream shares.
 */
public final class AccessRecordMapper {
  /** At most this many peers are kept for reuse; when full, the cache starts again empty. */
  static final int MAX_CACHED_PEERS = 10_000;

  /** The start of the names of Istio's inbound passthrough clusters. */
  static final String INBOUND_PASSTHROUGH = "InboundPassthroughCluster";

  static final List<String> OUTBOUND_PASSTHROUGH =
      List.of("PassthroughCluster", "BlackHoleCluster");

  private final MappingOptions options;

  /** TCP connections whose byte totals the streams remember, together. */
  private final AtomicInteger trackedTcpConnections = new AtomicInteger();

  /**
   * The peers of recent entries, reused: a proxy's entries repeat a few (service, principal) pairs,
   * and a shared immutable Peer is built, sized and hashed once instead of per entry.
   */
  private final ConcurrentHashMap<PeerKey, Peer> peers = new ConcurrentHashMap<>();

  /** What a mapped peer depends on besides the node's identity. */
  private record PeerKey(
      @Nullable NodeIdentity node, Side side, String service, String principal) {}

  /** Which side of a record a peer fills, and from what. */
  enum Side {
    SERVICE,
    LOCAL_SOURCE,
    LOCAL_DESTINATION,
    PEER_SOURCE
  }

  public AccessRecordMapper(MappingOptions options) {
    this.options = options;
  }

  /**
   * A decoder for one stream's messages (not thread-safe; sharing this mapper's peers), opened at
   * {@code streamOpenedUnixMillis}: a periodic entry of a TCP connection older than the stream, and
   * not seen on it before, sets the connection's baseline (see {@link TcpByteTotals}).
   */
  public AccessLogDecoder newDecoder(long streamOpenedUnixMillis) {
    return new AccessLogDecoder(this, options, trackedTcpConnections, streamOpenedUnixMillis);
  }

  /** A decoder that counts every TCP connection it has not seen in full. */
  public AccessLogDecoder newDecoder() {
    return newDecoder(Long.MIN_VALUE);
  }

  /**
   * TCP connections whose byte totals the open streams remember now (see {@link TcpByteTotals}).
   */
  public int trackedTcpConnections() {
    return trackedTcpConnections.get();
  }

  /**
   * One HTTP entry as a record (the entry is serialized and read back: not the hot path); null for
   * an entry that is not a request's end ({@link AccessLogDecoder.Skip}).
   */
  public @Nullable AccessRecord mapHttp(NodeIdentity node, HTTPAccessLogEntry entry) {
    byte[] bytes = entry.toByteArray();
    try {
      MappedAccess mapped = newDecoder().mapHttp(node, bytes, 0, bytes.length);
      return mapped == null ? null : mapped.toRecord();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("entry does not serialize to a valid entry", e);
    }
  }

  /** One TCP entry as a record (the entry is serialized and read back: not the hot path). */
  public AccessRecord mapTcp(NodeIdentity node, TCPAccessLogEntry entry) {
    byte[] bytes = entry.toByteArray();
    try {
      return newDecoder().mapTcp(node, bytes, 0, bytes.length).toRecord();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("entry does not serialize to a valid entry", e);
    }
  }

  Peer peer(NodeIdentity node, Side side, String service, String principal) {
    // Service sides and peer principals do not depend on the node: shared by every stream.
    boolean nodeScoped = side == Side.LOCAL_SOURCE || side == Side.LOCAL_DESTINATION;
    PeerKey key = new PeerKey(nodeScoped ? node : null, side, service, principal);
    Peer cached = peers.get(key);
    if (cached != null) {
      return cached;
    }
    Peer built = buildPeer(node, side, service, principal);
    if (peers.size() >= MAX_CACHED_PEERS) {
      peers.clear(); // proxies come and go: forget old nodes rather than grow
    }
    peers.putIfAbsent(key, built);
    return built;
  }

  private static Peer buildPeer(NodeIdentity node, Side side, String service, String principal) {
    return switch (side) {
      case SERVICE -> serviceSide(service).build();
      case PEER_SOURCE -> Peer.newBuilder().setPrincipal(principal).build();
      case LOCAL_SOURCE -> node.peer().toBuilder().setPrincipal(principal).build();
      case LOCAL_DESTINATION ->
          node.peer().toBuilder()
              .mergeFrom(serviceSide(service).build())
              .setPrincipal(principal)
              .build();
    };
  }

  /**
   * Whether {@code cluster} is one of Istio's inbound passthrough clusters ({@code
   * InboundPassthroughCluster}, {@code InboundPassthroughClusterIpv4}, {@code
   * InboundPassthroughClusterIpv6}): inbound traffic, logged by the destination's proxy, to a port
   * no service declares.
   */
  static boolean isInboundPassthrough(String cluster) {
    return cluster.equals(INBOUND_PASSTHROUGH)
        || cluster.equals(INBOUND_PASSTHROUGH + "Ipv4")
        || cluster.equals(INBOUND_PASSTHROUGH + "Ipv6");
  }

  /**
   * Whether {@code cluster} is one of Istio's outbound clusters for destinations outside its
   * registry, {@code PassthroughCluster} (allowed) or {@code BlackHoleCluster} (blocked): logged by
   * the source's proxy.
   */
  public static boolean isOutboundPassthrough(String cluster) {
    return OUTBOUND_PASSTHROUGH.contains(cluster);
  }

  /**
   * The destination of an outbound passthrough entry as Istio's sidecars label it: the service is
   * the request's authority (none for TCP), the service name the cluster's name, the namespace
   * unknown.
   */
  static Peer egressDestination(String cluster, String authority) {
    return Peer.newBuilder().setService(authority).setServiceName(cluster).build();
  }

  /**
   * The destination of an inbound passthrough entry, the reporting proxy's own workload, with the
   * service labels Istio gives it: the service is the request's authority, else the workload's
   * canonical service; the service name is the cluster name; the service namespace is the proxy's
   * namespace.
   */
  static Peer passthroughDestination(
      NodeIdentity node, String cluster, String authority, String principal) {
    return node.peer().toBuilder()
        .setService(authority.isEmpty() ? node.canonicalService() : authority)
        .setServiceName(cluster)
        .setServiceNamespace(node.peer().getNamespace())
        .setPrincipal(principal)
        .build();
  }

  private static Peer.Builder serviceSide(String service) {
    return Peer.newBuilder()
        .setService(service)
        .setServiceName(ServiceNames.shortName(service))
        .setServiceNamespace(ServiceNames.namespace(service));
  }

  /**
   * The trace id of a W3C {@code traceparent} (version-traceid-parentid-flags), or null when it is
   * not one.
   */
  static @Nullable String traceparentId(String traceparent) {
    int first = traceparent.indexOf('-');
    int second = first < 0 ? -1 : traceparent.indexOf('-', first + 1);
    int third = second < 0 ? -1 : traceparent.indexOf('-', second + 1);
    if (third >= 0
        && third < traceparent.length() - 1
        && traceparent.indexOf('-', third + 1) < 0
        && second - first - 1 == 32) {
      return traceparent.substring(first + 1, second);
    }
    return null;
  }
}
