package io.meshpulse.collector.mapping;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The object-by-object mapping the collector used before it read entries off the wire: kept as the
 * oracle of {@link AccessRecordMapperEquivalenceTest}. Maps Envoy HTTP and TCP access log entries
 * of one proxy to {@link AccessRecord}s. The reporting proxy's identity fills the side given by the
 * traffic direction: outbound clusters make it the source (reporter SOURCE), inbound clusters the
 * destination (reporter DESTINATION).
 */
final class ReferenceAccessRecordMapper {
  /** At most this many peers are kept for reuse; when full, the cache starts again empty. */
  static final int MAX_CACHED_PEERS = 10_000;

  private final MappingOptions options;

  /**
   * The peers of recent entries, reused: a proxy's entries repeat a few (service, principal) pairs,
   * and a shared immutable Peer is built, sized and hashed once instead of per entry.
   */
  private final ConcurrentHashMap<PeerKey, Peer> peers = new ConcurrentHashMap<>();

  /** What a mapped peer depends on besides the node's identity. */
  private record PeerKey(
      @Nullable NodeIdentity node, Side side, String service, String principal) {}

  private enum Side {
    SERVICE,
    LOCAL_SOURCE,
    LOCAL_DESTINATION,
    PEER_SOURCE
  }

  ReferenceAccessRecordMapper(MappingOptions options) {
    this.options = options;
  }

  /**
   * The record of an HTTP entry; null for an entry that is not a request's end (an {@code
   * access_log_type} other than NotSet and DownstreamEnd).
   */
  public @Nullable AccessRecord mapHttp(NodeIdentity node, HTTPAccessLogEntry entry) {
    AccessLogCommon common = entry.getCommonProperties();
    if (common.getAccessLogType() != AccessLogType.NotSet
        && common.getAccessLogType() != AccessLogType.DownstreamEnd) {
      return null;
    }
    HTTPRequestProperties request = entry.getRequest();
    HTTPResponseProperties response = entry.getResponse();
    AccessRecord.Builder record = common(node, common, request.getAuthority());
    String contentType = request.getRequestHeadersOrDefault("content-type", "");
    boolean grpc =
        contentType.equals("application/grpc") || contentType.startsWith("application/grpc+");
    // The record keeps a carried status only; the Istio label's inferred one is not in it.
    Optional<Integer> grpcStatus = grpcStatus(response, false, HTTP_TO_GRPC_STATUS);
    record
        .setProtocol(grpc ? Protocol.PROTOCOL_GRPC : Protocol.PROTOCOL_HTTP)
        .setResponseCode(response.hasResponseCode() ? response.getResponseCode().getValue() : 0)
        .setRequestBytes(request.getRequestHeadersBytes() + request.getRequestBodyBytes())
        .setResponseBytes(response.getResponseHeadersBytes() + response.getResponseBodyBytes())
        .setRequestMethod(
            request.getRequestMethodValue() == 0 ? "" : request.getRequestMethod().name())
        .setAuthority(request.getAuthority())
        .setRequestId(request.getRequestId())
        .setTraceId(traceId(request.getRequestHeadersMap()));
    grpcStatus.ifPresent(record::setGrpcStatus);
    if (options.keepPath()) {
      record.setPath(request.getPath());
    }
    if (!options.keepHeaders().isEmpty()) {
      request
          .getRequestHeadersMap()
          .forEach(
              (name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (options.keepHeaders().contains(lower)) {
                  record.putRequestHeaders(lower, value);
                }
              });
    }
    return record.build();
  }

  /**
   * Maps a TCP entry of a stream whose entries so far {@code logsConnects} (carried a {@code
   * TcpUpstreamConnected}); the entry itself is not counted in it. {@code totals}: the stream's
   * running byte totals of connections that logged before their end, by start time and downstream
   * address; the entry's bytes are what moved since its connection's previous entry.
   */
  public AccessRecord mapTcp(
      NodeIdentity node,
      TCPAccessLogEntry entry,
      boolean logsConnects,
      Map<List<Object>, long[]> totals) {
    AccessLogCommon common = entry.getCommonProperties();
    AccessLogType type = common.getAccessLogType();
    boolean connects = logsConnects || type == AccessLogType.TcpUpstreamConnected;
    boolean closed = type == AccessLogType.TcpConnectionEnd || type == AccessLogType.NotSet;
    long received = entry.getConnectionProperties().getReceivedBytes();
    long sent = entry.getConnectionProperties().getSentBytes();
    long receivedSince = received;
    long sentSince = sent;
    // Running totals are remembered from a connect or periodic entry until the end entry; other
    // types count their totals.
    boolean remembered =
        type == AccessLogType.TcpUpstreamConnected
            || type == AccessLogType.TcpPeriodic
            || type == AccessLogType.UdpTunnelUpstreamConnected
            || type == AccessLogType.UdpPeriodic;
    boolean last = type == AccessLogType.TcpConnectionEnd || type == AccessLogType.UdpSessionEnd;
    if ((remembered || last)
        && common.hasStartTime()
        && !common.getStartTime().equals(com.google.protobuf.Timestamp.getDefaultInstance())
        && common.hasDownstreamRemoteAddress()
        && common.getDownstreamRemoteAddress().getSerializedSize() > 0) {
      List<Object> connection =
          List.of(common.getStartTime(), common.getDownstreamRemoteAddress().toByteString());
      long[] previous = totals.get(connection);
      if (previous != null && received >= previous[0] && sent >= previous[1]) {
        receivedSince = received - previous[0];
        sentSince = sent - previous[1];
      }
      if (last) {
        totals.remove(connection);
      } else {
        totals.put(connection, new long[] {received, sent});
      }
    }
    return common(node, common, "")
        .setProtocol(Protocol.PROTOCOL_TCP)
        .setRequestBytes(receivedSince)
        .setResponseBytes(sentSince)
        // Without TcpUpstreamConnected entries, Envoy logs a connection once, when it ends.
        .setConnectionOpened(
            type == AccessLogType.TcpUpstreamConnected
                || type == AccessLogType.NotSet
                || (type == AccessLogType.TcpConnectionEnd && !connects))
        .setConnectionClosed(closed)
        .build();
  }

  /** The Struct of filter state object downstream_peer (or upstream_peer); null when none. */
  private static @Nullable Struct peerMetadata(AccessLogCommon common, boolean downstream) {
    Any any =
        common.getFilterStateObjectsMap().get(downstream ? "downstream_peer" : "upstream_peer");
    if (any == null || !any.getTypeUrl().equals("type.googleapis.com/google.protobuf.Struct")) {
      return null;
    }
    try {
      return Struct.parseFrom(any.getValue());
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static Peer withMetadata(Peer peer, @Nullable Struct metadata) {
    if (metadata == null) {
      return peer;
    }
    return peer.toBuilder()
        .setWorkload(field(metadata, "workload"))
        .setNamespace(field(metadata, "namespace"))
        .setApp(field(metadata, "app"))
        .setVersion(field(metadata, "version"))
        .setMeshCluster(field(metadata, "cluster"))
        .setCanonicalService(field(metadata, "service"))
        .setCanonicalRevision(field(metadata, "revision"))
        .build();
  }

  private static String field(Struct struct, String name) {
    Value value = struct.getFieldsOrDefault(name, Value.getDefaultInstance());
    return value.hasStringValue() ? value.getStringValue() : "";
  }

  private AccessRecord.Builder common(NodeIdentity node, AccessLogCommon common, String authority) {
    String upstreamCluster = common.getUpstreamCluster();
    boolean passthrough =
        upstreamCluster.equals("InboundPassthroughCluster")
            || upstreamCluster.equals("InboundPassthroughClusterIpv4")
            || upstreamCluster.equals("InboundPassthroughClusterIpv6");
    Optional<IstioClusterName> istio = IstioClusterName.parse(upstreamCluster);
    boolean egress =
        upstreamCluster.equals("PassthroughCluster") || upstreamCluster.equals("BlackHoleCluster");
    Reporter reporter =
        passthrough
            ? Reporter.REPORTER_DESTINATION
            : egress
                ? Reporter.REPORTER_SOURCE
                : istio
                    .map(
                        name ->
                            switch (name.direction()) {
                              case OUTBOUND -> Reporter.REPORTER_SOURCE;
                              case INBOUND -> Reporter.REPORTER_DESTINATION;
                              case WAYPOINT -> Reporter.REPORTER_WAYPOINT;
                            })
                    .orElse(options.defaultReporter());
    String service = istio.map(IstioClusterName::service).orElse(upstreamCluster);
    if (service.isEmpty() && reporter == Reporter.REPORTER_DESTINATION) {
      // Newer Istio inbound clusters are "inbound|9080||": the service is the node's own.
      service = node.ownService();
    }
    TLSProperties tls = common.getTlsProperties();
    String peerPrincipal = spiffeId(tls.getPeerCertificateProperties());
    String localPrincipal = spiffeId(tls.getLocalCertificateProperties());
    boolean mutualTls = tls.hasPeerCertificateProperties() && !peerPrincipal.isEmpty();

    Peer source;
    Peer destination;
    String securityPolicy;
    if (reporter == Reporter.REPORTER_DESTINATION) {
      source = peer(node, Side.PEER_SOURCE, "", peerPrincipal);
      destination =
          passthrough
              ? node.peer().toBuilder()
                  .setService(authority.isEmpty() ? node.canonicalService() : authority)
                  .setServiceName(upstreamCluster)
                  .setServiceNamespace(node.peer().getNamespace())
                  .setPrincipal(localPrincipal)
                  .build()
              : peer(node, Side.LOCAL_DESTINATION, service, localPrincipal);
      securityPolicy = mutualTls ? "mutual_tls" : "none";
    } else if (reporter == Reporter.REPORTER_WAYPOINT) {
      // A waypoint is neither side: the caller is its downstream peer.
      source = peer(node, Side.PEER_SOURCE, "", peerPrincipal);
      destination = peer(node, Side.SERVICE, service, "");
      securityPolicy = mutualTls ? "mutual_tls" : "unknown";
    } else {
      // A mesh service's upstream is reached over mutual TLS with the workload's certificate.
      String principal =
          localPrincipal.isEmpty() && istio.isPresent()
              ? node.peer().getPrincipal()
              : localPrincipal;
      source = peer(node, Side.LOCAL_SOURCE, "", principal);
      // Outside the registry: Istio's host header fallback names the service.
      destination =
          egress
              ? Peer.newBuilder().setService(authority).setServiceName(upstreamCluster).build()
              : peer(node, Side.SERVICE, service, "");
      securityPolicy = "unknown";
    }
    // Istio's peer metadata: the source's at the destination, the destination's at the source,
    // both at a waypoint.
    if (reporter == Reporter.REPORTER_DESTINATION || reporter == Reporter.REPORTER_WAYPOINT) {
      source = withMetadata(source, peerMetadata(common, true));
    }
    if (reporter != Reporter.REPORTER_DESTINATION) {
      destination = withMetadata(destination, peerMetadata(common, false));
    }

    long flags =
        common.hasResponseFlags() ? ResponseFlagsCodec.bitmask(common.getResponseFlags()) : 0;
    return AccessRecord.newBuilder()
        .setReporter(reporter)
        .setNodeId(node.nodeId())
        .setSource(source)
        .setDestination(destination)
        .setCluster(service)
        .setSubset(istio.map(IstioClusterName::subset).orElse(""))
        .setUpstreamCluster(upstreamCluster)
        .setEndpoint(endpoint(common.getUpstreamRemoteAddress()))
        .setResponseFlags(flags)
        .setResponseFlagsText(ResponseFlagsCodec.text(flags))
        .setStartTimeUnixMicros(
            common.getStartTime().getSeconds() * 1_000_000L
                + common.getStartTime().getNanos() / 1_000L)
        .setDurationMicros(duration(common))
        .setUpstreamLatencyMicros(micros(common.getTimeToFirstUpstreamRxByte()))
        .setConnectionSecurityPolicy(securityPolicy);
  }

  private Peer peer(NodeIdentity node, Side side, String service, String principal) {
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

  private static Peer.Builder serviceSide(String service) {
    return Peer.newBuilder()
        .setService(service)
        .setServiceName(ServiceNames.shortName(service))
        .setServiceNamespace(ServiceNames.namespace(service));
  }

  /** Time to last downstream tx byte, else the upstream timings, else the entry's duration. */
  static long duration(AccessLogCommon common) {
    if (common.hasTimeToLastDownstreamTxByte()) {
      return micros(common.getTimeToLastDownstreamTxByte());
    }
    if (common.hasTimeToLastUpstreamRxByte()) {
      return micros(common.getTimeToLastUpstreamRxByte());
    }
    if (common.hasTimeToFirstUpstreamRxByte()) {
      return micros(common.getTimeToFirstUpstreamRxByte());
    }
    return common.hasDuration() ? micros(common.getDuration()) : 0;
  }

  private static long micros(Duration duration) {
    return duration.getSeconds() * 1_000_000L + duration.getNanos() / 1_000L;
  }

  private static Endpoint endpoint(Address address) {
    if (address.hasEnvoyInternalAddress()) {
      return internalEndpoint(address.getEnvoyInternalAddress().getEndpointId());
    }
    if (!address.hasSocketAddress()) {
      return Endpoint.getDefaultInstance();
    }
    return Endpoint.newBuilder()
        .setAddress(address.getSocketAddress().getAddress())
        .setPort(address.getSocketAddress().getPortValue())
        .build();
  }

  /** An internal listener's endpoint id: "host:port" or "[host]:port", a port of 1 to 5 digits. */
  private static final Pattern ENDPOINT_ID =
      Pattern.compile("(?:\\[([^\\[\\]]+)\\]|([^:\\[\\]]+)):([0-9]{1,5})");

  /** The endpoint behind an internal listener, named by its endpoint id. */
  private static Endpoint internalEndpoint(String id) {
    Matcher m = ENDPOINT_ID.matcher(id);
    if (!m.matches() || Integer.parseInt(m.group(3)) > 65_535) {
      return Endpoint.getDefaultInstance();
    }
    return Endpoint.newBuilder()
        .setAddress(m.group(1) != null ? m.group(1) : m.group(2))
        .setPort(Integer.parseInt(m.group(3)))
        .build();
  }

  /** Envoy's Grpc::Utility::httpToGrpcStatus, as a table; any other code is 2 (UNKNOWN). */
  private static final Map<Integer, Integer> HTTP_TO_GRPC_STATUS =
      Map.of(400, 13, 401, 16, 403, 7, 404, 12, 429, 14, 502, 14, 503, 14, 504, 14);

  /** A decimal number as absl::SimpleAtoi takes it: ASCII whitespace around, an optional '+'. */
  private static final Pattern GRPC_STATUS = Pattern.compile("\\s*\\+?([0-9]+)\\s*");

  /**
   * grpc-status from the response trailers, else the headers (trailers-only responses), else, for a
   * gRPC request with a response code, that code's status (Envoy's Grpc::Common::getGrpcStatus).
   */
  private static Optional<Integer> grpcStatus(
      HTTPResponseProperties response, boolean grpc, Map<Integer, Integer> httpToGrpc) {
    Optional<Integer> status = grpcStatus(response.getResponseTrailersOrDefault("grpc-status", ""));
    if (status.isEmpty()) {
      status = grpcStatus(response.getResponseHeadersOrDefault("grpc-status", ""));
    }
    if (status.isEmpty() && grpc && response.hasResponseCode()) {
      status = Optional.of(httpToGrpc.getOrDefault(response.getResponseCode().getValue(), 2));
    }
    return status;
  }

  /** One grpc-status value: none when empty, -1 (Envoy's InvalidCode) unless a number to 16. */
  private static Optional<Integer> grpcStatus(String value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = GRPC_STATUS.matcher(value);
    return Optional.of(
        m.matches() && new BigInteger(m.group(1)).compareTo(BigInteger.valueOf(16)) <= 0
            ? Integer.parseInt(m.group(1))
            : -1);
  }

  private static String spiffeId(TLSProperties.CertificateProperties certificate) {
    for (TLSProperties.CertificateProperties.SubjectAltName san :
        certificate.getSubjectAltNameList()) {
      if (san.getUri().startsWith("spiffe://")) {
        return san.getUri();
      }
    }
    return "";
  }

  /** The W3C traceparent's trace id or the B3 trace id, when Envoy was told to log them. */
  private static String traceId(Map<String, String> headers) {
    String traceparent = headers.getOrDefault("traceparent", "");
    // version-traceid-parentid-flags; indexOf rather than split: this runs for every entry.
    int first = traceparent.indexOf('-');
    int second = first < 0 ? -1 : traceparent.indexOf('-', first + 1);
    int third = second < 0 ? -1 : traceparent.indexOf('-', second + 1);
    if (third >= 0
        && third < traceparent.length() - 1
        && traceparent.indexOf('-', third + 1) < 0
        && second - first - 1 == 32) {
      return traceparent.substring(first + 1, second);
    }
    return headers.getOrDefault("x-b3-traceid", "");
  }
}
