package io.meshpulse.xds.snapshot;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.meshpulse.xds.policy.ServiceRouting;
import java.util.List;

/**
 * LDS. For Envoy: a listener per service on {@code 0.0.0.0:<service port>}, named like the service,
 * with an HttpConnectionManager taking its routes from RDS; services that share a port share one
 * listener, {@code 0.0.0.0_<port>} ({@link #envoyPort}). For proxyless gRPC: the listener name is
 * the target authority ({@code xds:///reviews} → "reviews", and "reviews:9080" for targets with a
 * port), an ApiListener with the same HttpConnectionManager.
 */
public final class ListenerBuilder {
  private static final String HCM = "envoy.filters.network.http_connection_manager";

  /** The fault filter's name; routes configure it per route under this name. */
  public static final String FAULT_FILTER = "envoy.filters.http.fault";

  private ListenerBuilder() {}

  public static Listener envoy(ServiceRouting routing) {
    return envoy(routing, false);
  }

  /**
   * @param faults whether the route configuration injects faults, which needs Envoy's fault filter
   *     in the chain
   */
  public static Listener envoy(ServiceRouting routing, boolean faults) {
    return envoy(routing, faults, AccessLogOptions.NONE);
  }

  /**
   * As {@link #envoy(ServiceRouting, boolean)}, logging every request as {@code accessLog} says.
   */
  public static Listener envoy(ServiceRouting routing, boolean faults, AccessLogOptions accessLog) {
    String name = routing.service().name();
    return listener(name, "0.0.0.0", routing.service().port(), hcm(name, name, faults, accessLog));
  }

  /** The name of a listener on {@code 0.0.0.0:port} that serves more than one service. */
  public static String addressName(int port) {
    return "0.0.0.0_" + port;
  }

  /**
   * The listener on {@code 0.0.0.0:port} of the services that share {@code port}, named and routed
   * by {@link #addressName}: Envoy refuses two listeners on one address.
   */
  public static Listener envoyPort(int port, boolean faults, AccessLogOptions accessLog) {
    String name = addressName(port);
    return listener(name, "0.0.0.0", port, hcm(name, name, faults, accessLog));
  }

  /** A listener on {@code address:port} whose HTTP connection manager is {@code hcm}. */
  public static Listener listener(
      String name, String address, int port, HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress(address).setPortValue(port)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm))))
        .build();
  }

  public static List<Listener> proxyless(ServiceRouting routing) {
    return proxyless(routing, false);
  }

  public static List<Listener> proxyless(ServiceRouting routing, boolean faults) {
    String name = routing.service().name();
    HttpConnectionManager hcm = hcm(name, RouteBuilder.routeName(routing), faults);
    return List.of(apiListener(name, hcm), apiListener(name + ':' + routing.service().port(), hcm));
  }

  private static Listener apiListener(String name, HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  /**
   * An HTTP connection manager taking route configuration {@code routeConfig} from ADS, with the
   * router (and before it the fault filter, when {@code faults}).
   */
  public static HttpConnectionManager hcm(String statPrefix, String routeConfig, boolean faults) {
    return hcm(statPrefix, routeConfig, faults, AccessLogOptions.NONE);
  }

  /** As {@link #hcm(String, String, boolean)}, with the access log {@code accessLog} describes. */
  public static HttpConnectionManager hcm(
      String statPrefix, String routeConfig, boolean faults, AccessLogOptions accessLog) {
    HttpConnectionManager.Builder b =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName(routeConfig)
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())
                            .setResourceApiVersion(ApiVersion.V3)));
    if (accessLog.enabled()) {
      b.addAccessLog(accessLog(accessLog));
    }
    if (faults) {
      b.addHttpFilters(
          HttpFilter.newBuilder()
              .setName(FAULT_FILTER)
              .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())));
    }
    return b.addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
  }

  private static AccessLog accessLog(AccessLogOptions options) {
    java.time.Duration flush = options.flushInterval();
    HttpGrpcAccessLogConfig config =
        HttpGrpcAccessLogConfig.newBuilder()
            .setCommonConfig(
                CommonGrpcAccessLogConfig.newBuilder()
                    .setLogName(AccessLogOptions.LOG_NAME)
                    .setTransportApiVersion(ApiVersion.V3)
                    .setBufferFlushInterval(
                        com.google.protobuf.Duration.newBuilder()
                            .setSeconds(flush.getSeconds())
                            .setNanos(flush.getNano()))
                    .setGrpcService(
                        GrpcService.newBuilder()
                            .setEnvoyGrpc(
                                GrpcService.EnvoyGrpc.newBuilder()
                                    .setClusterName(options.cluster()))))
            // Envoy logs no header unless named: the collector tells gRPC from HTTP by the
            // request's content-type and reads the status from grpc-status (trailer, or header
            // for a trailers-only response), for Istio's request_protocol and
            // grpc_response_status and the health job's gRPC errors.
            .addAdditionalRequestHeadersToLog("content-type")
            .addAdditionalResponseHeadersToLog("grpc-status")
            .addAdditionalResponseTrailersToLog("grpc-status")
            .build();
    return AccessLog.newBuilder()
        .setName("envoy.access_loggers.http_grpc")
        .setTypedConfig(Any.pack(config))
        .build();
  }
}
