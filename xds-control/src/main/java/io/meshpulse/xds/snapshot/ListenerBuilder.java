package io.meshpulse.xds.snapshot;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.meshpulse.xds.policy.ServiceRouting;
import java.util.List;

/**
 * LDS. For Envoy: a listener per service on {@code 0.0.0.0:<service port>}, named like the service,
 * with an HttpConnectionManager taking its routes from RDS. For proxyless gRPC: the listener name
 * is the target authority ({@code xds:///reviews} → "reviews", and "reviews:9080" for targets with
 * a port), an ApiListener with the same HttpConnectionManager.
 */
public final class ListenerBuilder {
  private static final String HCM = "envoy.filters.network.http_connection_manager";

  private ListenerBuilder() {}

  public static Listener envoy(ServiceRouting routing) {
    return Listener.newBuilder()
        .setName(routing.service().name())
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder()
                        .setAddress("0.0.0.0")
                        .setPortValue(routing.service().port())))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm(routing)))))
        .build();
  }

  public static List<Listener> proxyless(ServiceRouting routing) {
    String name = routing.service().name();
    return List.of(
        apiListener(name, routing), apiListener(name + ':' + routing.service().port(), routing));
  }

  private static Listener apiListener(String name, ServiceRouting routing) {
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm(routing))))
        .build();
  }

  private static HttpConnectionManager hcm(ServiceRouting routing) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(routing.service().name())
        .setRds(
            Rds.newBuilder()
                .setRouteConfigName(RouteBuilder.routeName(routing))
                .setConfigSource(
                    ConfigSource.newBuilder()
                        .setAds(AggregatedConfigSource.getDefaultInstance())
                        .setResourceApiVersion(ApiVersion.V3)))
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
  }
}
