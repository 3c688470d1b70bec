package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshpulse.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway Envoy (node id {@code router~...}, Envoy's ADS protocol from its API protos) against
 * xds-control serving a routing file: the gateway listeners and their routes arrive, and an edit of
 * one virtual service brings a new version of its route configuration and nothing else.
 */
class RoutingAdsIT {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final Duration QUIET = Duration.ofMillis(1500);
  static final List<String> ROUTES = List.of("http.80", "http.8081");

  static final String ROUTING =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: public}
      spec:
        servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: admin}
      spec:
        servers:
          - port: {number: 8081, name: http-admin, protocol: HTTP}
            hosts: ["admin.local"]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web}
      spec:
        hosts: ["*"]
        gateways: [public]
        http:
          - name: root
            match: [{uri: {exact: /}}]
            route: [{destination: {host: reviews, port: {number: 9080}}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: admin}
      spec:
        hosts: ["admin.local"]
        gateways: [admin]
        http:
          - route: [{destination: {host: ratings}}]
      """;

  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static Path routingFile;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    Path topology =
        Topologies.write(
            dir,
            Topologies.service("reviews", 9080, "http", 9101, 9102),
            Topologies.service("ratings", 9090, "http", 9201));
    routingFile = Files.writeString(dir.resolve("routing.yml"), ROUTING);
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "routing-ads-it",
            "meshpulse.xds.routing-files=" + routingFile,
            "meshpulse.xds.topology-poll-interval=200ms",
            "meshpulse.xds.policy.stale-after=60s",
            "meshpulse.xds.policy.silent-after=90s",
            "meshpulse.xds.policy.hold-for=120s");
    app.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(app, kafka);
  }

  private static DeltaDiscoveryResponse deltaSubscribeAndAck(
      AdsTestClient c, String type, List<String> names) throws Exception {
    c.sendDelta(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .addAllResourceNamesSubscribe(names)
            .build());
    DeltaDiscoveryResponse r = c.expectDelta(WAIT);
    assertThat(r.getTypeUrl()).as("delta response type").isEqualTo(type);
    c.sendDelta(
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(type).setResponseNonce(r.getNonce()).build());
    return r;
  }

  private static RouteConfiguration routeConfig(DiscoveryResponse r, String name) throws Exception {
    for (var any : r.getResourcesList()) {
      RouteConfiguration rc = any.unpack(RouteConfiguration.class);
      if (rc.getName().equals(name)) {
        return rc;
      }
    }
    throw new AssertionError("no route configuration " + name + " in " + r);
  }

  @Test
  void theGatewayGetsItsListenersAndRoutes_andAnEditedVirtualServiceOnlyANewRouteVersion()
      throws Exception {
    // Both send their node on the first request only, as Istio's bootstrap has Envoy do: every
    // later request is served as the gateway's all the same.
    try (AdsTestClient gateway =
            new AdsTestClient(app.adsPort(), "router~10.0.0.9~gw-1.mesh").nodeOnFirstRequestOnly();
        AdsTestClient deltaGateway =
            new AdsTestClient(app.adsPort(), "router~10.0.0.10~gw-2.mesh")
                .nodeOnFirstRequestOnly()) {
      DiscoveryResponse cds = gateway.subscribeAndAck(CLUSTER_TYPE_URL, List.of(), WAIT);
      assertThat(cds.getResourcesCount()).as("clusters").isEqualTo(4);
      List<String> edsNames = new ArrayList<>();
      for (var any : cds.getResourcesList()) {
        edsNames.add(any.unpack(io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getName());
      }
      gateway.subscribeAndAck(ENDPOINT_TYPE_URL, edsNames, WAIT);
      DiscoveryResponse lds = gateway.subscribeAndAck(LISTENER_TYPE_URL, List.of(), WAIT);
      List<String> listenerNames = new ArrayList<>();
      List<String> rdsNames = new ArrayList<>();
      for (var any : lds.getResourcesList()) {
        Listener l = any.unpack(Listener.class);
        listenerNames.add(l.getName() + "@" + l.getAddress().getSocketAddress().getPortValue());
        rdsNames.add(
            l.getFilterChains(0)
                .getFilters(0)
                .getTypedConfig()
                .unpack(HttpConnectionManager.class)
                .getRds()
                .getRouteConfigName());
      }
      assertThat(listenerNames)
          .as("gateway listeners")
          .containsExactlyInAnyOrder("0.0.0.0_80@80", "0.0.0.0_8081@8081");
      assertThat(rdsNames).as("their RDS names").containsExactlyInAnyOrderElementsOf(ROUTES);
      DiscoveryResponse rds = gateway.subscribeAndAck(ROUTE_TYPE_URL, ROUTES, WAIT);
      RouteConfiguration http80 = routeConfig(rds, "http.80");
      assertThat(http80.getVirtualHosts(0).getRoutes(0).getMatch().getPath())
          .as("exact /")
          .isEqualTo("/");
      assertThat(http80.getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
          .as("cluster")
          .isEqualTo("outbound|9080||reviews");
      assertThat(routeConfig(rds, "http.8081").getVirtualHosts(0).getDomainsList())
          .as("admin domains")
          .containsExactly("admin.local", "admin.local:8081");
      assertThat(gateway.next(QUIET)).as("nothing more after the ACKs").isNull();

      deltaSubscribeAndAck(deltaGateway, CLUSTER_TYPE_URL, List.of());
      deltaSubscribeAndAck(deltaGateway, LISTENER_TYPE_URL, List.of());
      DeltaDiscoveryResponse deltaRds = deltaSubscribeAndAck(deltaGateway, ROUTE_TYPE_URL, ROUTES);
      assertThat(deltaRds.getResourcesList())
          .as("initial route configurations")
          .extracting(Resource::getName)
          .containsExactlyInAnyOrderElementsOf(ROUTES);
      assertThat(deltaGateway.nextDelta(QUIET)).as("delta: nothing more").isNull();

      Files.writeString(routingFile, ROUTING.replace("exact: /}", "prefix: /shop}"));

      DiscoveryResponse push = gateway.expect(WAIT);
      assertThat(push.getTypeUrl()).as("only RDS is pushed").isEqualTo(ROUTE_TYPE_URL);
      assertThat(push.getVersionInfo()).as("new RDS version").isNotEqualTo(rds.getVersionInfo());
      assertThat(
              routeConfig(push, "http.80").getVirtualHosts(0).getRoutes(0).getMatch().getPrefix())
          .as("the edited match")
          .isEqualTo("/shop");
      gateway.send(
          AdsTestClient.request(ROUTE_TYPE_URL, ROUTES, push.getVersionInfo(), push.getNonce()));
      assertThat(gateway.next(QUIET)).as("no LDS, CDS or EDS resent").isNull();

      DeltaDiscoveryResponse deltaPush = deltaGateway.expectDelta(WAIT);
      assertThat(deltaPush.getTypeUrl()).as("delta type").isEqualTo(ROUTE_TYPE_URL);
      assertThat(deltaPush.getResourcesList())
          .as("only the changed route configuration")
          .extracting(Resource::getName)
          .containsExactly("http.80");
      assertThat(deltaPush.getResources(0).getVersion())
          .as("its new version")
          .isNotEqualTo(
              deltaRds.getResourcesList().stream()
                  .filter(r -> r.getName().equals("http.80"))
                  .findFirst()
                  .orElseThrow()
                  .getVersion());
      assertThat(deltaGateway.nextDelta(QUIET)).as("delta: nothing else").isNull();

      assertThat(app.runtime().decisions().recent("", 100))
          .as("an edited file is configuration, not a routing decision")
          .allSatisfy(d -> assertThat(d.getRouteChangesList()).isEmpty());
    }
  }

  @Test
  void aRefusedRoutingFile_showsInItsGaugeUntilAGoodVersionReplacesIt() throws Exception {
    String good = Files.readString(routingFile);
    assertThat(scrape()).as("before").contains("meshpulse_routing_files_rejected 0.0");
    try {
      Files.writeString(routingFile, good.replace("{host: ratings}", "{host: no-such-service}"));
      XdsControlHarness.await(
          () -> scrapeUnchecked().contains("meshpulse_routing_files_rejected 1.0"),
          WAIT,
          "the refused version in the gauge");
      assertThat(app.runtime().routing().lastError()).as("the refusal's problems").isPresent();
      assertThat(scrape())
          .as("the topology is not what was refused")
          .contains("meshpulse_topology_file_rejected 0.0");
    } finally {
      Files.writeString(routingFile, good);
    }
    XdsControlHarness.await(
        () -> scrapeUnchecked().contains("meshpulse_routing_files_rejected 0.0"),
        WAIT,
        "the good version clearing the gauge");
  }

  private static String scrape() throws Exception {
    var response = app.get("/actuator/prometheus");
    assertThat(response.statusCode()).as("scrape status").isEqualTo(200);
    return response.body();
  }

  private static String scrapeUnchecked() {
    try {
      return app.get("/actuator/prometheus").body();
    } catch (Exception e) {
      throw new AssertionError("scrape failed", e);
    }
  }

  @Test
  void sidecarsDoNotGetTheGatewayListeners() throws Exception {
    try (AdsTestClient sidecar = new AdsTestClient(app.adsPort(), "sidecar~10.0.0.11~app.mesh")) {
      DiscoveryResponse lds = sidecar.subscribeAndAck(LISTENER_TYPE_URL, List.of(), WAIT);
      List<String> names = new ArrayList<>();
      for (var any : lds.getResourcesList()) {
        names.add(any.unpack(Listener.class).getName());
      }
      assertThat(names).as("sidecar listeners").containsExactlyInAnyOrder("reviews", "ratings");
    }
  }
}
