package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.RouteChange;
import io.meshpulse.model.v1.RoutingDecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subset whose every endpoint is bad, against the virtual services of a routing file: where a
 * route splits traffic with another subset, the subset is ejected whole and the route's share moves
 * to the other subset, so no subset cluster is left to panic; where a route sends all its traffic
 * to the subset, it is never emptied.
 */
class EmptiedSubsetIT {
  static final Duration WAIT = Duration.ofSeconds(20);

  static final String ROUTING =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: details}
      spec:
        hosts: [details]
        http:
          - name: split
            route:
              - destination: {host: details, subset: v1}
                weight: 90
              - destination: {host: details, subset: v2}
                weight: 10
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: ratings}
      spec:
        hosts: [ratings]
        http:
          - name: testers
            match: [{headers: {x-canary: {exact: "true"}}}]
            route: [{destination: {host: ratings, subset: v2}}]
          - name: rest
            route: [{destination: {host: ratings, subset: v1}}]
      """;

  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static XdsControlHarness.HealthProducer producer;
  static XdsControlHarness.HealthPipeline pipeline;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    Path topology =
        Files.writeString(
            dir.resolve("topology.yml"),
            "services:\n" + service("details", 9080, 9301) + service("ratings", 9090, 9401));
    Path routing = Files.writeString(dir.resolve("routing.yml"), ROUTING);
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "emptied-subset-it",
            "meshpulse.xds.routing-files=" + routing,
            "meshpulse.xds.policy.step-interval=200ms",
            "meshpulse.xds.policy.min-dwell=1s");
    app.awaitReady(Duration.ofSeconds(60));
    producer = new XdsControlHarness.HealthProducer(kafka);
    pipeline = new XdsControlHarness.HealthPipeline(producer, Duration.ofMillis(250));
    for (int port = 9301; port <= 9306; port++) {
      pipeline.put("details", port, HealthState.HEALTH_STATE_HEALTHY);
    }
    for (int port = 9401; port <= 9406; port++) {
      pipeline.put("ratings", port, HealthState.HEALTH_STATE_HEALTHY);
    }
    pipeline.start();
  }

  /** v1 with five endpoints from {@code firstPort}, v2 with the next one. */
  private static String service(String name, int port, int firstPort) {
    StringBuilder b = new StringBuilder();
    b.append("  - name: ").append(name).append("\n    port: ").append(port);
    b.append("\n    protocol: http\n    subsets:\n");
    b.append("      - name: v1\n        endpoints:\n");
    for (int p = firstPort; p < firstPort + 5; p++) {
      b.append("          - {address: 127.0.0.1, port: ").append(p).append("}\n");
    }
    b.append("      - name: v2\n        endpoints:\n");
    b.append("          - {address: 127.0.0.1, port: ").append(firstPort + 5).append("}\n");
    return b.toString();
  }

  @AfterAll
  static void stop() throws Exception {
    if (pipeline != null) {
      pipeline.close();
    }
    if (producer != null) {
      producer.close();
    }
    XdsControlHarness.closeAll(app, kafka);
  }

  @Test
  void aSplitRoute_givesAnEmptiedSubsetsShareToTheOtherSubset() throws Exception {
    pipeline.put("details", 9306, HealthState.HEALTH_STATE_UNHEALTHY);

    XdsControlHarness.await(
        () -> routeChanges("details").anyMatch(c -> c.getRoute().equals("details/split")),
        WAIT,
        "the split route's change");
    assertThat(endpointChanges("details"))
        .as("v2's one endpoint ejected")
        .anyMatch(
            c ->
                c.getAction() == EndpointAction.ENDPOINT_ACTION_EJECT
                    && c.getEndpoint().getPort() == 9306);
    assertThat(routeChanges("details"))
        .as("the route's change")
        .contains(
            RouteChange.newBuilder()
                .setRoute("details/split")
                .setSubset("v2")
                .setOldWeight(100)
                .setNewWeight(0)
                .build(),
            RouteChange.newBuilder()
                .setRoute("details/split")
                .setSubset("v1")
                .setOldWeight(900)
                .setNewWeight(1000)
                .build());

    Route split = route("details", 0);
    assertThat(split.getRoute().getCluster())
        .as("served: all of the split to v1's cluster")
        .isEqualTo("outbound|9080|v1|details");
  }

  @Test
  void aSubsetThatIsARoutesOnlyDestination_keepsItsEndpoint() throws Exception {
    pipeline.put("ratings", 9406, HealthState.HEALTH_STATE_UNHEALTHY);

    XdsControlHarness.await(
        () -> endpointChanges("ratings").anyMatch(EmptiedSubsetIT::refusedForItsRoute),
        WAIT,
        "the refused ejection");
    assertThat(endpointChanges("ratings").filter(EmptiedSubsetIT::refusedForItsRoute))
        .as("the refused endpoint, degraded instead")
        .allMatch(
            c -> c.getEndpoint().getPort() == 9406 && c.getNewPolicyStatus().equals("DEGRADED"));
    assertThat(endpointChanges("ratings"))
        .as("nothing ejected")
        .noneMatch(c -> c.getAction() == EndpointAction.ENDPOINT_ACTION_EJECT);
    assertThat(route("ratings", 0).getRoute().getCluster())
        .as("served: the testers' route still to v2")
        .isEqualTo("outbound|9090|v2|ratings");
  }

  private static boolean refusedForItsRoute(EndpointChange c) {
    return c.getReasonsList().stream()
        .anyMatch(r -> r.contains("a route of the routing files would have no destination left"));
  }

  private static Stream<RoutingDecision> decisions(String cluster) {
    return app.runtime().decisions().recent(cluster, 100).stream();
  }

  private static Stream<RouteChange> routeChanges(String cluster) {
    return decisions(cluster).flatMap(d -> d.getRouteChangesList().stream());
  }

  private static Stream<EndpointChange> endpointChanges(String cluster) {
    return decisions(cluster).flatMap(d -> d.getEndpointChangesList().stream());
  }

  /** The {@code index}th route of the service's route configuration, as a new sidecar gets it. */
  private static Route route(String service, int index) throws Exception {
    try (AdsTestClient sidecar =
        new AdsTestClient(app.adsPort(), "sidecar~10.0.0.21~" + service + "-it.mesh")) {
      DiscoveryResponse rds = sidecar.subscribeAndAck(ROUTE_TYPE_URL, List.of(service), WAIT);
      for (var any : rds.getResourcesList()) {
        RouteConfiguration rc = any.unpack(RouteConfiguration.class);
        if (rc.getName().equals(service)) {
          return rc.getVirtualHosts(0).getRoutes(index);
        }
      }
      throw new AssertionError("no route configuration " + service + " in " + rds);
    }
  }
}
