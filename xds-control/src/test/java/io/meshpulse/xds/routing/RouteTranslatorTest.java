package io.meshpulse.xds.routing;

import static io.meshpulse.xds.routing.RoutingFixtures.meshVs;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.RoutingPolicy;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.snapshot.ProxyKind;
import io.meshpulse.xds.snapshot.XdsSnapshots;
import io.meshpulse.xds.topology.ServiceSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each routing feature as Envoy receives it. */
class RouteTranslatorTest {
  private static final RoutingPolicy POLICY = new RoutingPolicy(PolicyConfig.DEFAULTS);

  private static RoutingTable table() {
    Map<String, ServiceRouting> services = new LinkedHashMap<>();
    for (ServiceSpec s : RoutingFixtures.topology().services()) {
      services.put(s.name(), POLICY.neutral(s));
    }
    return new RoutingTable(services);
  }

  private static XdsSnapshots.Resources resources(String yaml, ProxyKind kind) {
    RoutingConfig config = RoutingFixtures.valid(yaml);
    ServedRoutes served = new RouteComposer().compose(config, List.of(), false).served();
    return XdsSnapshots.resources(table(), served, PolicyConfig.DEFAULTS, kind);
  }

  private static RouteConfiguration route(XdsSnapshots.Resources r, String name) {
    return r.routes().stream()
        .filter(x -> x.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no route configuration " + name));
  }

  private static HttpConnectionManager hcm(Listener l) throws InvalidProtocolBufferException {
    if (l.hasApiListener()) {
      return l.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    }
    return l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
  }

  @Test
  void theSeedExample_isAGatewayListenerOnPort80_withARouteForExactSlashToMyService()
      throws Exception {
    XdsSnapshots.Resources r = resources(RoutingFixtures.SEED, ProxyKind.GATEWAY);

    assertThat(r.listeners()).as("gateway listeners").hasSize(1);
    Listener listener = r.listeners().get(0);
    assertThat(listener.getName()).as("listener name").isEqualTo("0.0.0.0_80");
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).as("port").isEqualTo(80);
    assertThat(hcm(listener).getRds().getRouteConfigName()).as("RDS name").isEqualTo("http.80");
    assertThat(hcm(listener).getRds().getConfigSource().hasAds()).as("RDS over ADS").isTrue();

    assertThat(r.routes()).as("gateway route configurations").hasSize(1);
    VirtualHost vh = route(r, "http.80").getVirtualHosts(0);
    assertThat(vh.getName()).as("virtual host").isEqualTo("my-service");
    assertThat(vh.getDomainsList()).as("domains").containsExactly("*");
    assertThat(vh.getRoutesList()).as("routes").hasSize(1);
    Route root = vh.getRoutes(0);
    assertThat(root.getName()).as("route name").isEqualTo("root");
    assertThat(root.getMatch().getPath()).as("exact path").isEqualTo("/");
    assertThat(root.getRoute().getCluster()).as("cluster").isEqualTo("outbound|8080||my-service");
    assertThat(root.getRoute().getTimeout().getSeconds()).as("no timeout, as in Istio").isZero();

    assertThat(r.clusters()).as("the gateway gets every cluster").hasSize(6);
  }

  @Test
  void gatewaysGetOnlyGatewayListeners_andSidecarsNone() {
    XdsSnapshots.Resources sidecar = resources(RoutingFixtures.SEED, ProxyKind.ENVOY);
    assertThat(sidecar.listeners().stream().map(Listener::getName))
        .as("sidecar listeners")
        .containsExactly("my-service", "reviews");
    assertThat(sidecar.routes().stream().map(RouteConfiguration::getName))
        .as("sidecar routes")
        .containsExactly("my-service", "reviews");
  }

  @Test
  void everyMatchKind_becomesTheEnvoyMatch_andAlternativesBecomeOneRouteEach() {
    String yaml =
        meshVs(
            """
            - name: exact
              match:
                - uri: {exact: /reviews/1}
                  method: {exact: GET}
                - uri: {regex: "/reviews/[0-9]+"}
                  headers:
                    x-user: {prefix: "jas"}
                    x-canary: {exact: "true"}
              route: [{destination: {host: reviews, subset: v2}}]
            - name: prefix
              match: [{uri: {prefix: /reviews}}]
              route: [{destination: {host: reviews, subset: v1}}]
            """);
    VirtualHost vh = route(resources(yaml, ProxyKind.ENVOY), "reviews").getVirtualHosts(0);

    assertThat(vh.getRoutesList().stream().map(Route::getName))
        .as("one Envoy route per alternative")
        .containsExactly("exact", "exact", "prefix");
    Route first = vh.getRoutes(0);
    assertThat(first.getMatch().getPath()).as("exact uri").isEqualTo("/reviews/1");
    assertThat(first.getMatch().getHeaders(0).getName()).as("method header").isEqualTo(":method");
    assertThat(first.getMatch().getHeaders(0).getStringMatch().getExact())
        .as("method")
        .isEqualTo("GET");
    Route second = vh.getRoutes(1);
    assertThat(second.getMatch().getSafeRegex().getRegex())
        .as("regex uri")
        .isEqualTo("/reviews/[0-9]+");
    assertThat(second.getMatch().getHeadersList().stream().map(HeaderMatcher::getName))
        .as("headers, sorted by name")
        .containsExactly("x-canary", "x-user");
    assertThat(second.getMatch().getHeaders(1).getStringMatch().getPrefix())
        .as("prefix header")
        .isEqualTo("jas");
    assertThat(second.getRoute().getCluster())
        .as("subset cluster")
        .isEqualTo("outbound|9080|v2|reviews");
    assertThat(vh.getRoutes(2).getMatch().getPrefix()).as("prefix uri").isEqualTo("/reviews");
  }

  @Test
  void weightedDestinations_becomeWeightedClustersPerMille() {
    String yaml =
        meshVs(
            """
            - name: split
              route:
                - destination: {host: reviews, subset: v1}
                  weight: 90
                - destination: {host: reviews, subset: v2}
                  weight: 10
            """);
    Route r =
        route(resources(yaml, ProxyKind.PROXYLESS_GRPC), "reviews").getVirtualHosts(0).getRoutes(0);
    assertThat(r.getMatch().getPrefix()).as("no match: every path").isEqualTo("/");
    List<WeightedCluster.ClusterWeight> clusters =
        r.getRoute().getWeightedClusters().getClustersList();
    assertThat(clusters.stream().map(c -> c.getName() + "=" + c.getWeight().getValue()))
        .as("weighted clusters")
        .containsExactly("outbound|9080|v1|reviews=900", "outbound|9080|v2|reviews=100");
  }

  @Test
  void timeoutRetriesAndFaults_areOnTheRoute_andTheListenerGetsTheFaultFilter() throws Exception {
    String yaml =
        meshVs(
            """
            - name: flaky
              timeout: 2s
              retries:
                attempts: 3
                perTryTimeout: 500ms
                retryOn: 5xx,reset
              fault:
                delay:
                  fixedDelay: 1.5s
                  percentage: {value: 10}
                abort:
                  httpStatus: 503
                  percentage: {value: 0.5}
              route: [{destination: {host: reviews}}]
            """);
    XdsSnapshots.Resources r = resources(yaml, ProxyKind.ENVOY);
    Route route = route(r, "reviews").getVirtualHosts(0).getRoutes(0);

    assertThat(route.getRoute().getTimeout().getSeconds()).as("timeout").isEqualTo(2);
    assertThat(route.getRoute().getRetryPolicy().getNumRetries().getValue())
        .as("attempts")
        .isEqualTo(3);
    assertThat(route.getRoute().getRetryPolicy().getRetryOn())
        .as("retry on")
        .isEqualTo("5xx,reset");
    assertThat(route.getRoute().getRetryPolicy().getPerTryTimeout().getNanos())
        .as("per-try timeout")
        .isEqualTo(500_000_000);
    assertThat(route.getRoute().getCluster())
        .as("whole service")
        .isEqualTo("outbound|9080||reviews");

    HTTPFault fault =
        route.getTypedPerFilterConfigOrThrow("envoy.filters.http.fault").unpack(HTTPFault.class);
    assertThat(fault.getDelay().getFixedDelay().getSeconds()).as("delay s").isEqualTo(1);
    assertThat(fault.getDelay().getFixedDelay().getNanos()).as("delay ns").isEqualTo(500_000_000);
    assertThat(fault.getDelay().getPercentage().getNumerator())
        .as("delay share")
        .isEqualTo(100_000);
    assertThat(fault.getDelay().getPercentage().getDenominator())
        .as("per million")
        .isEqualTo(FractionalPercent.DenominatorType.MILLION);
    assertThat(fault.getAbort().getHttpStatus()).as("abort status").isEqualTo(503);
    assertThat(fault.getAbort().getPercentage().getNumerator()).as("abort share").isEqualTo(5_000);

    Listener reviews =
        r.listeners().stream().filter(l -> l.getName().equals("reviews")).findFirst().orElseThrow();
    assertThat(hcm(reviews).getHttpFiltersList().stream().map(HttpFilter::getName))
        .as("filters of the faulty service's listener")
        .containsExactly("envoy.filters.http.fault", "envoy.filters.http.router");
    Listener other =
        r.listeners().stream()
            .filter(l -> l.getName().equals("my-service"))
            .findFirst()
            .orElseThrow();
    assertThat(hcm(other).getHttpFiltersList().stream().map(HttpFilter::getName))
        .as("filters of a service without faults")
        .containsExactly("envoy.filters.http.router");
  }

  @Test
  void aGatewayOnAnotherPort_servesTheHostsWithAndWithoutThePort() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: shop}
        spec:
          servers:
            - port: {number: 8443, name: http-alt, protocol: HTTP}
              hosts: ["*.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop}
        spec:
          hosts: ["shop.example.com", "other.test"]
          gateways: [shop]
          http:
            - route: [{destination: {host: my-service, subset: v1}}]
        """;
    XdsSnapshots.Resources r = resources(yaml, ProxyKind.GATEWAY);
    assertThat(r.listeners().get(0).getName()).as("listener").isEqualTo("0.0.0.0_8443");
    VirtualHost vh = route(r, "http.8443").getVirtualHosts(0);
    assertThat(vh.getDomainsList())
        .as("only the hosts the gateway accepts")
        .containsExactly("shop.example.com", "shop.example.com:8443");
    assertThat(vh.getRoutes(0).getName()).as("unnamed route").isEqualTo("route-0");
  }

  @Test
  void twoVirtualServicesReachingOneDomainOfAPort_nameItOnce_theFirstKeepsIt() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: shop}
        spec:
          servers:
            - port: {number: 8443, name: http-alt, protocol: HTTP}
              hosts: ["*.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: any}
        spec:
          hosts: ["*"]
          gateways: [shop]
          http:
            - route: [{destination: {host: my-service, subset: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: wildcard}
        spec:
          hosts: ["*.example.com", "api.example.com"]
          gateways: [shop]
          http:
            - route: [{destination: {host: my-service, subset: v1}}]
        """;
    RouteConfiguration rc = route(resources(yaml, ProxyKind.GATEWAY), "http.8443");
    assertThat(rc.getVirtualHostsList())
        .extracting(vh -> vh.getName() + " " + vh.getDomainsList())
        .as("Envoy refuses a domain named twice in one route configuration")
        .containsExactly(
            "any [*.example.com, *.example.com:8443]",
            "wildcard [api.example.com, api.example.com:8443]");
  }

  @Test
  void withoutAVirtualService_aServiceKeepsItsOwnRoute() {
    XdsSnapshots.Resources r =
        resources(
            meshVs("- route: [{destination: {host: reviews, subset: v1}}]\n"), ProxyKind.ENVOY);
    RouteConfiguration own = route(r, "my-service");
    assertThat(own.getVirtualHosts(0).getRoutes(0).getName())
        .as("default route")
        .isEqualTo("default");
    assertThat(route(r, "reviews").getVirtualHosts(0).getName())
        .as("reviews routed by its virtual service")
        .isEqualTo("reviews");
  }

  @Test
  void envoysGetTheGrpcAccessLogToTheCollector_proxylessClientsDoNot() throws Exception {
    RoutingConfig config = RoutingFixtures.valid(RoutingFixtures.SEED);
    ServedRoutes served = new RouteComposer().compose(config, List.of(), false).served();
    io.meshpulse.xds.snapshot.AccessLogOptions log =
        new io.meshpulse.xds.snapshot.AccessLogOptions(
            "meshpulse_collector", java.time.Duration.ofMillis(100));
    for (ProxyKind kind : List.of(ProxyKind.ENVOY, ProxyKind.GATEWAY)) {
      for (Listener l :
          XdsSnapshots.resources(table(), served, PolicyConfig.DEFAULTS, kind, log).listeners()) {
        HttpConnectionManager hcm = hcm(l);
        assertThat(hcm.getAccessLogList())
            .as("%s listener %s access logs", kind, l.getName())
            .hasSize(1);
        assertThat(hcm.getAccessLog(0).getName())
            .as("logger")
            .isEqualTo("envoy.access_loggers.http_grpc");
        var logger =
            hcm.getAccessLog(0)
                .getTypedConfig()
                .unpack(
                    io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig
                        .class);
        assertThat(logger.getAdditionalRequestHeadersToLogList())
            .as("request headers logged: gRPC is told by its content-type")
            .containsExactly("content-type");
        assertThat(logger.getAdditionalResponseHeadersToLogList())
            .as("response headers logged")
            .containsExactly("grpc-status");
        assertThat(logger.getAdditionalResponseTrailersToLogList())
            .as("response trailers logged")
            .containsExactly("grpc-status");
        var common = logger.getCommonConfig();
        assertThat(common.getGrpcService().getEnvoyGrpc().getClusterName())
            .as("cluster")
            .isEqualTo("meshpulse_collector");
        assertThat(common.getBufferFlushInterval().getNanos()).as("flush").isEqualTo(100_000_000);
        assertThat(common.getLogName()).as("log name").isEqualTo("meshpulse");
      }
    }
    for (Listener l :
        XdsSnapshots.resources(
                table(), served, PolicyConfig.DEFAULTS, ProxyKind.PROXYLESS_GRPC, log)
            .listeners()) {
      assertThat(hcm(l).getAccessLogList()).as("proxyless %s", l.getName()).isEmpty();
    }
    for (Listener l :
        XdsSnapshots.resources(
                table(),
                served,
                PolicyConfig.DEFAULTS,
                ProxyKind.ENVOY,
                io.meshpulse.xds.snapshot.AccessLogOptions.NONE)
            .listeners()) {
      assertThat(hcm(l).getAccessLogList()).as("no cluster, no access log").isEmpty();
    }
  }
}
