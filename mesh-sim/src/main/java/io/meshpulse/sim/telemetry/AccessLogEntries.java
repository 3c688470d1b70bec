package io.meshpulse.sim.telemetry;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.meshpulse.sim.model.Outcome;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the HTTPAccessLogEntry an Envoy sidecar would log for a request (outbound direction): with
 * the upstream's peer metadata ({@code upstream_peer}), as an Istio 1.24 sidecar logs it for
 * istiod's access log providers. The upstream workload of a service's subset is {@code
 * <service>-<subset>} (the service's name without a subset) in namespace {@code default}, its app
 * the service and its version the subset.
 */
public final class AccessLogEntries {
  private final String proxyIp;
  // The peer metadata of each (service, subset): a proxy's entries repeat a few.
  private final Map<String, Any> peers = new HashMap<>();

  /**
   * @param proxyIp the sidecar's own address (127.0.0.n): downstream remote and upstream local
   */
  public AccessLogEntries(String proxyIp) {
    this.proxyIp = proxyIp;
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  private static Duration millis(double ms) {
    long nanos = Math.round(ms * 1_000_000);
    return Duration.newBuilder()
        .setSeconds(nanos / 1_000_000_000)
        .setNanos((int) (nanos % 1_000_000_000))
        .build();
  }

  public HTTPAccessLogEntry build(RequestRecord r) {
    Outcome o = r.outcome();
    long ms = r.startEpochMs();
    int ephemeral = 32768 + (int) (r.requestId() % 28000);
    AccessLogCommon.Builder common =
        AccessLogCommon.newBuilder()
            .setSampleRate(1.0)
            .setStartTime(
                Timestamp.newBuilder()
                    .setSeconds(Math.floorDiv(ms, 1000))
                    .setNanos((int) Math.floorMod(ms, 1000) * 1_000_000))
            .setDownstreamRemoteAddress(address(proxyIp, ephemeral))
            .setDownstreamLocalAddress(address("127.0.0.1", r.servicePort()))
            .setUpstreamCluster(r.cluster())
            .setRouteName("default")
            .setTimeToLastRxByte(millis(0.01))
            .setTimeToLastDownstreamTxByte(millis(o.latencyMs()))
            .setDuration(millis(o.latencyMs()))
            .setAccessLogType(AccessLogType.DownstreamEnd)
            .setStreamId(Long.toHexString(r.requestId()));
    if (r.upstreamHost() != null) {
      int colon = r.upstreamHost().lastIndexOf(':');
      common
          .setUpstreamRemoteAddress(
              address(
                  r.upstreamHost().substring(0, colon),
                  Integer.parseInt(r.upstreamHost().substring(colon + 1))))
          .setUpstreamLocalAddress(address(proxyIp, ephemeral + 1))
          .setUpstreamRequestAttemptCount(1);
      if (o.flag() == io.meshpulse.sim.model.ResponseFlag.NONE) {
        common
            .setTimeToFirstUpstreamTxByte(millis(0.05))
            .setTimeToLastUpstreamTxByte(millis(0.06))
            .setTimeToFirstUpstreamRxByte(millis(o.latencyMs() * 0.9))
            .setTimeToLastUpstreamRxByte(millis(o.latencyMs()));
      }
    }
    ResponseFlags.Builder flags = ResponseFlags.newBuilder();
    switch (o.flag()) {
      case UPSTREAM_CONNECTION_FAILURE -> flags.setUpstreamConnectionFailure(true);
      case UPSTREAM_OVERFLOW -> flags.setUpstreamOverflow(true);
      case NO_HEALTHY_UPSTREAM -> flags.setNoHealthyUpstream(true);
      case NONE -> {}
    }
    common.setResponseFlags(flags);
    if (r.upstreamHost() != null) {
      common.putFilterStateObjects("upstream_peer", peer(r.service(), r.upstreamSubset()));
    }

    HTTPRequestProperties.Builder req =
        HTTPRequestProperties.newBuilder()
            .setScheme("http")
            .setAuthority(r.service() + ":" + r.servicePort())
            .setRequestId(String.format("%016x-sim", r.requestId()))
            .setRequestHeadersBytes(220)
            .setUserAgent(r.grpc() ? "grpc-java-netty/1.85.1" : "meshpulse-sim");
    HTTPResponseProperties.Builder resp =
        HTTPResponseProperties.newBuilder()
            .setResponseCode(UInt32Value.of(o.httpStatus()))
            .setResponseCodeDetails(o.details())
            .setResponseHeadersBytes(150);
    if (r.grpc()) {
      req.setRequestMethod(io.envoyproxy.envoy.config.core.v3.RequestMethod.POST)
          .setPath("/" + r.service() + ".v1." + capitalize(r.service()) + "/Get")
          .setRequestBodyBytes(40)
          // What tells the collector a gRPC request, as the logger xds-control serves names it.
          .putRequestHeaders("content-type", "application/grpc");
      resp.putResponseTrailers("grpc-status", Integer.toString(Math.max(0, o.grpcStatus())))
          .setResponseBodyBytes(o.isError() ? 0 : 120);
    } else {
      req.setRequestMethod(io.envoyproxy.envoy.config.core.v3.RequestMethod.GET)
          .setPath("/" + r.service() + "/" + (r.requestId() % 100));
      resp.setResponseBodyBytes(o.isError() ? 19 : 512);
    }
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(common)
        .setProtocolVersion(
            r.grpc() ? HTTPAccessLogEntry.HTTPVersion.HTTP2 : HTTPAccessLogEntry.HTTPVersion.HTTP11)
        .setRequest(req)
        .setResponse(resp)
        .build();
  }

  private Any peer(String service, String subset) {
    return peers.computeIfAbsent(
        service + "|" + subset,
        k -> {
          String version = subset.isEmpty() ? "latest" : subset;
          String workload = subset.isEmpty() ? service : service + "-" + subset;
          Struct.Builder struct =
              Struct.newBuilder()
                  .putFields("type", text("deployment"))
                  .putFields("workload", text(workload))
                  .putFields("cluster", text("Kubernetes"))
                  .putFields("namespace", text("default"))
                  .putFields("service", text(service))
                  .putFields("revision", text(version))
                  .putFields("app", text(service));
          if (!subset.isEmpty()) {
            struct.putFields("version", text(subset));
          }
          return Any.pack(struct.build());
        });
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
