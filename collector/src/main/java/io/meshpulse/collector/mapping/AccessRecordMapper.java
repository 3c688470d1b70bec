package io.meshpulse.collector.mapping;

import com.google.protobuf.Duration;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps Envoy HTTP and TCP access log entries of one proxy to {@link AccessRecord}s. The reporting
 * proxy's identity fills the side given by the traffic direction: outbound clusters make it the
 * source (reporter SOURCE), inbound clusters the destination (reporter DESTINATION).
 */
public final class AccessRecordMapper {
  private final MappingOptions options;

  public AccessRecordMapper(MappingOptions options) {
    this.options = options;
  }

  public AccessRecord mapHttp(NodeIdentity node, HTTPAccessLogEntry entry) {
    AccessLogCommon common = entry.getCommonProperties();
    HTTPRequestProperties request = entry.getRequest();
    HTTPResponseProperties response = entry.getResponse();
    AccessRecord.Builder record = common(node, common);
    Optional<Integer> grpcStatus = grpcStatus(response);
    boolean grpc =
        grpcStatus.isPresent()
            || request
                .getRequestHeadersOrDefault("content-type", "")
                .startsWith("application/grpc");
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

  public AccessRecord mapTcp(NodeIdentity node, TCPAccessLogEntry entry) {
    AccessLogCommon common = entry.getCommonProperties();
    AccessLogType type = common.getAccessLogType();
    return common(node, common)
        .setProtocol(Protocol.PROTOCOL_TCP)
        .setRequestBytes(entry.getConnectionProperties().getReceivedBytes())
        .setResponseBytes(entry.getConnectionProperties().getSentBytes())
        // Envoy without access_log_type logs a TCP connection once, when it closes.
        .setConnectionOpened(
            type == AccessLogType.TcpUpstreamConnected || type == AccessLogType.NotSet)
        .setConnectionClosed(type == AccessLogType.TcpConnectionEnd || type == AccessLogType.NotSet)
        .build();
  }

  private AccessRecord.Builder common(NodeIdentity node, AccessLogCommon common) {
    String upstreamCluster = common.getUpstreamCluster();
    Optional<IstioClusterName> istio = IstioClusterName.parse(upstreamCluster);
    Reporter reporter =
        istio
            .map(
                name ->
                    name.direction() == IstioClusterName.Direction.OUTBOUND
                        ? Reporter.REPORTER_SOURCE
                        : Reporter.REPORTER_DESTINATION)
            .orElse(options.defaultReporter());
    String service = istio.map(IstioClusterName::service).orElse(upstreamCluster);
    if (service.isEmpty() && reporter == Reporter.REPORTER_DESTINATION) {
      // Newer Istio inbound clusters are "inbound|9080||": the service is the node's own.
      service = node.ownService();
    }
    Peer serviceSide =
        Peer.newBuilder()
            .setService(service)
            .setServiceName(ServiceNames.shortName(service))
            .setServiceNamespace(ServiceNames.namespace(service))
            .build();
    TLSProperties tls = common.getTlsProperties();
    String peerPrincipal = spiffeId(tls.getPeerCertificateProperties());
    String localPrincipal = spiffeId(tls.getLocalCertificateProperties());

    Peer source;
    Peer destination;
    String securityPolicy;
    if (reporter == Reporter.REPORTER_DESTINATION) {
      source = Peer.newBuilder().setPrincipal(peerPrincipal).build();
      destination =
          node.peer().toBuilder().mergeFrom(serviceSide).setPrincipal(localPrincipal).build();
      securityPolicy =
          tls.hasPeerCertificateProperties() && !peerPrincipal.isEmpty() ? "mutual_tls" : "none";
    } else {
      source = node.peer().toBuilder().setPrincipal(localPrincipal).build();
      destination = serviceSide;
      securityPolicy = "unknown";
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
    if (!address.hasSocketAddress()) {
      return Endpoint.getDefaultInstance();
    }
    return Endpoint.newBuilder()
        .setAddress(address.getSocketAddress().getAddress())
        .setPort(address.getSocketAddress().getPortValue())
        .build();
  }

  /** grpc-status from the response trailers, else the headers (trailers-only responses). */
  private static Optional<Integer> grpcStatus(HTTPResponseProperties response) {
    String status =
        response.getResponseTrailersOrDefault(
            "grpc-status", response.getResponseHeadersOrDefault("grpc-status", ""));
    if (status.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(status.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
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
    String[] parts = traceparent.split("-");
    if (parts.length == 4 && parts[1].length() == 32) {
      return parts[1];
    }
    return headers.getOrDefault("x-b3-traceid", "");
  }
}
