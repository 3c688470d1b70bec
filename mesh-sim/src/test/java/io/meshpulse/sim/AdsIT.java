package io.meshpulse.sim;

import static io.meshpulse.sim.xds.XdsFixtures.Ep;
import static io.meshpulse.sim.xds.XdsFixtures.cla;
import static io.meshpulse.sim.xds.XdsFixtures.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.sim.xds.XdsFixtures;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A simulated fleet against a real java-control-plane ADS server (V3DiscoveryServer + SimpleCache).
 */
class AdsIT {
  static final String V1 = "outbound|9080|v1|reviews";
  static final String V2 = "outbound|9080|v2|reviews";
  static final String V3 = "outbound|9080|v3|reviews";
  static final String RATINGS = "outbound|9081|v1|ratings";
  static final String DETAILS = "outbound|9082|v1|details";

  SimpleCache<String> cache;
  Server server;

  @BeforeEach
  void startControlPlane() throws Exception {
    cache = new SimpleCache<>(node -> "mesh");
    server = adsServer(0);
  }

  Server adsServer(int port) throws java.io.IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
        .build()
        .start();
  }

  @AfterEach
  void stopControlPlane() throws Exception {
    server.shutdownNow().awaitTermination();
  }

  static ClusterLoadAssignment reviewsV1(HealthStatus status9103, int weight9104) {
    return cla(
        V1,
        Ep.of("127.0.0.1:9101", 1),
        Ep.of("127.0.0.1:9102", 1),
        new Ep("127.0.0.1:9103", 1, status9103),
        Ep.of("127.0.0.1:9104", weight9104));
  }

  void serve(String version, ClusterLoadAssignment v1, Map<String, Integer> routeWeights) {
    List<Cluster> clusters =
        List.of(
            edsCluster(V1),
            edsCluster(V2),
            edsCluster(V3),
            edsCluster(RATINGS),
            edsCluster(DETAILS));
    List<ClusterLoadAssignment> clas = new ArrayList<>();
    clas.add(v1);
    clas.add(
        cla(
            V2,
            Ep.of("127.0.0.1:9105", 1),
            Ep.of("127.0.0.1:9106", 1),
            Ep.of("127.0.0.1:9107", 1),
            Ep.of("127.0.0.1:9108", 1)));
    clas.add(cla(V3, Ep.of("127.0.0.1:9109", 1), Ep.of("127.0.0.1:9110", 1)));
    clas.add(
        cla(
            RATINGS,
            Ep.of("127.0.0.1:9201", 1),
            Ep.of("127.0.0.1:9202", 1),
            Ep.of("127.0.0.1:9203", 1)));
    clas.add(cla(DETAILS, Ep.of("127.0.0.1:9301", 1), Ep.of("127.0.0.1:9302", 1)));
    cache.setSnapshot(
        "mesh",
        Snapshot.create(
            clusters,
            clas,
            List.of(XdsFixtures.rdsListener("0.0.0.0_9080", "9080")),
            List.of(XdsFixtures.route("9080", "reviews", 9080, routeWeights)),
            List.of(),
            version));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  static Map<String, Integer> weights(int v1, int v2, int v3) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put(V1, v1);
    m.put(V2, v2);
    m.put(V3, v3);
    return m;
  }

  long sum(Simulation sim, long from, long to, String... endpoints) {
    long n = 0;
    for (String e : endpoints) {
      n += sim.requests(e, from, to);
    }
    return n;
  }

  @Test
  void proxiesFollowServedWeights_stopSendingToAnEjectedEndpoint_andShiftWithRouteWeights()
      throws Exception {
    serve("1", reviewsV1(HealthStatus.HEALTHY, 3), weights(50, 50, 0));
    Simulation sim =
        Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn("hard-failure"))
                .ads("127.0.0.1:" + server.getPort())
                // Its six steps take about 6 s from onset; 20 s leaves a slow machine room.
                .duration(Duration.ofSeconds(20))
                .faultAt(Duration.ofMillis(2_500))
                .shareWindow(Duration.ofSeconds(1))
                .build());

    // 1. every proxy ACKs CDS, LDS, EDS and RDS; nothing is NACKed
    await("ACKs of all four types", () -> sim.report().xdsAcks() >= 40);
    long configured = System.currentTimeMillis() + 200;
    assertThat(sim.report().xdsNacks()).as("NACKs").isZero();

    // 2. traffic follows the served endpoint weights and route weights
    Thread.sleep(1_500);
    long now = System.currentTimeMillis();
    long v1 =
        sum(
            sim,
            configured,
            now,
            "127.0.0.1:9101",
            "127.0.0.1:9102",
            "127.0.0.1:9103",
            "127.0.0.1:9104");
    long v2 =
        sum(
            sim,
            configured,
            now,
            "127.0.0.1:9105",
            "127.0.0.1:9106",
            "127.0.0.1:9107",
            "127.0.0.1:9108");
    long v3 = sum(sim, configured, now, "127.0.0.1:9109", "127.0.0.1:9110");
    long w3 = sim.requests("127.0.0.1:9104", configured, now);
    assertThat(v1 + v2).as("reviews traffic").isGreaterThan(1_000);
    assertThat((double) v1 / (v1 + v2)).as("v1 share of a 50/50 route").isBetween(0.45, 0.55);
    assertThat(v3).as("route weight 0: no v3 traffic").isZero();
    assertThat((double) w3 / v1).as("weight 3 of 6 in v1").isBetween(0.44, 0.56);
    long ratings = sum(sim, configured, now, "127.0.0.1:9201", "127.0.0.1:9202", "127.0.0.1:9203");
    assertThat(ratings)
        .as("ratings without a route: spread over its CDS subset cluster")
        .isGreaterThan(200);

    // 3. the control plane ejects the faulty endpoint: proxies apply it and stop sending to it
    await("fault onset", () -> System.currentTimeMillis() > sim.startEpochMs() + 2_700);
    long pushed = System.currentTimeMillis();
    serve("2", reviewsV1(HealthStatus.UNHEALTHY, 3), weights(50, 50, 0));
    await(
        "all 10 proxies applying the ejection",
        () ->
            sim.report().endpointChanges().stream()
                    .filter(c -> c.endpoint().equals("127.0.0.1:9103"))
                    .count()
                >= 10);
    List<EndpointChange> ejections =
        sim.report().endpointChanges().stream()
            .filter(c -> c.endpoint().equals("127.0.0.1:9103"))
            .toList();
    assertThat(ejections)
        .as("recorded per proxy")
        .allMatch(
            c ->
                c.newStatus().equals("UNHEALTHY")
                    && c.oldStatus().equals("HEALTHY")
                    && c.reducesTraffic()
                    && c.version().equals("2"))
        .allMatch(c -> c.epochMs() >= pushed && c.epochMs() < pushed + 5_000);
    assertThat(ejections.stream().map(EndpointChange::proxy).distinct())
        .as("distinct proxies")
        .hasSize(10);
    long applied = ejections.stream().mapToLong(EndpointChange::epochMs).max().orElseThrow();
    Thread.sleep(1_000);
    assertThat(sim.requests("127.0.0.1:9103", applied + 100, System.currentTimeMillis()))
        .as("no request to the ejected endpoint")
        .isZero();
    assertThat(sim.requests("127.0.0.1:9104", applied + 100, System.currentTimeMillis()))
        .as("its peers still get traffic")
        .isPositive();

    Map<String, EndpointSnapshot> live = new LinkedHashMap<>();
    sim.snapshot().forEach(e -> live.put(e.endpoint(), e));
    assertThat(live.get("127.0.0.1:9103").healthStatus())
        .as("live status of the ejected endpoint")
        .isEqualTo("UNHEALTHY");
    assertThat(live.get("127.0.0.1:9103").statusCounts())
        .as("held by every proxy")
        .containsEntry("UNHEALTHY", 10);
    assertThat(live.get("127.0.0.1:9103").faultActive()).as("fault active").isTrue();
    assertThat(live.get("127.0.0.1:9101").rps()).as("peers' live rps").isPositive();
    assertThat(live.get("127.0.0.1:9104").weightMax()).as("live weight").isEqualTo(3);
    assertThat(live.get("127.0.0.1:9104").rps()).as("live rps").isPositive();
    assertThat(live.get("127.0.0.1:9104").p99Ms()).as("live p99").isBetween(20.0, 400.0);

    // 4. a route-weight change shifts subset traffic
    serve("3", reviewsV1(HealthStatus.UNHEALTHY, 3), weights(10, 90, 0));
    await(
        "6 productpage proxies applying the route", () -> sim.report().routeChanges().size() >= 6);
    long routed =
        sim.report().routeChanges().stream().mapToLong(RouteChange::epochMs).max().orElseThrow()
            + 100;
    assertThat(sim.report().routeChanges())
        .as("route changes")
        .allMatch(
            r ->
                r.service().equals("reviews")
                    && r.after().equals(weights(10, 90, 0))
                    && r.before().equals(weights(50, 50, 0)));
    Thread.sleep(1_000);
    long end = System.currentTimeMillis();
    long v1After =
        sum(
            sim,
            routed,
            end,
            "127.0.0.1:9101",
            "127.0.0.1:9102",
            "127.0.0.1:9103",
            "127.0.0.1:9104");
    long v2After =
        sum(
            sim,
            routed,
            end,
            "127.0.0.1:9105",
            "127.0.0.1:9106",
            "127.0.0.1:9107",
            "127.0.0.1:9108");
    assertThat((double) v2After / (v1After + v2After))
        .as("v2 share after the shift to 90")
        .isBetween(0.86, 0.94);

    // 5. a weight change on a healthy endpoint is a false action
    serve(
        "5",
        cla(
            V1,
            Ep.of("127.0.0.1:9101", 2),
            Ep.of("127.0.0.1:9102", 1),
            new Ep("127.0.0.1:9103", 1, HealthStatus.UNHEALTHY),
            Ep.of("127.0.0.1:9104", 3)),
        weights(10, 90, 0));
    await(
        "proxies applying the 9101 weight change",
        () ->
            sim.report().endpointChanges().stream()
                    .filter(c -> c.endpoint().equals("127.0.0.1:9101"))
                    .count()
                >= 10);

    // 6. an invalid assignment (weight 0) is NACKed and routing stays as it was
    serve("6", reviewsV1(HealthStatus.UNHEALTHY, 0), weights(10, 90, 0));
    await("NACKs", () -> sim.report().xdsNacks() >= 10);
    long nacked = System.currentTimeMillis();
    Thread.sleep(500);
    assertThat(sim.requests("127.0.0.1:9104", nacked, System.currentTimeMillis()))
        .as("old weights still used")
        .isPositive();

    SimulationReport report = sim.awaitCompletion(Duration.ofSeconds(30));
    assertThat(report.faultOnsetEpochMs()).as("onset").isEqualTo(report.startEpochMs() + 2_500);
    List<Long> callerTimes =
        ejections.stream()
            .filter(c -> c.proxy().contains("~productpage-"))
            .map(EndpointChange::epochMs)
            .sorted()
            .toList();
    assertThat(callerTimes).as("the 6 proxies calling reviews").hasSize(6);
    assertThat(report.firstProxyReactionSeconds())
        .as("reaction: onset → first proxy calling reviews applying the ejection")
        .isEqualTo((callerTimes.get(0) - report.faultOnsetEpochMs()) / 1000.0);
    assertThat(report.allProxiesReactionSeconds())
        .as("reaction: onset → last proxy calling reviews applying the ejection")
        .isEqualTo((callerTimes.get(5) - report.faultOnsetEpochMs()) / 1000.0);
    assertThat(report.proxiesReacted()).as("reacted").isEqualTo(6);
    assertThat(report.proxiesCallingFaultService()).as("calling reviews").isEqualTo(6);
    assertThat(report.falseActions())
        .as("one action on a healthy endpoint, counted once for all proxies")
        .isEqualTo(1);
    assertThat(report.falseActionEndpoints()).as("which").containsExactly("127.0.0.1:9101");
    assertThat(report.faultyTrafficShareBefore())
        .as("share before: 1 of 6 weight in half the traffic")
        .isBetween(0.06, 0.11);
    assertThat(report.faultyTrafficShareAfter()).as("share after the reaction").isZero();
    assertThat(report.xdsNacks()).as("NACK counted").isGreaterThanOrEqualTo(10);
  }

  @Test
  void controlPlaneRestart_proxiesKeepTheirConfigReconnectAndApplyWhatChangedMeanwhile()
      throws Exception {
    serve("1", reviewsV1(HealthStatus.HEALTHY, 3), weights(50, 50, 0));
    int port = server.getPort();
    Simulation sim =
        Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                .ads("127.0.0.1:" + port)
                .duration(Duration.ofSeconds(6))
                .build());
    await("ACKs of all four types", () -> sim.report().xdsAcks() >= 40);
    server.shutdownNow().awaitTermination();
    long down = System.currentTimeMillis();
    serve("2", reviewsV1(HealthStatus.UNHEALTHY, 3), weights(50, 50, 0));
    Thread.sleep(1_000);
    long outage = System.currentTimeMillis();
    assertThat(sim.requests("127.0.0.1:9103", down + 100, outage))
        .as("old config kept while disconnected")
        .isPositive();
    assertThat(sum(sim, down + 100, outage, "127.0.0.1:9109", "127.0.0.1:9110"))
        .as("old route kept")
        .isZero();
    server = adsServer(port);
    await(
        "all proxies applying the ejection after reconnecting",
        () ->
            sim.report().endpointChanges().stream()
                    .filter(c -> c.endpoint().equals("127.0.0.1:9103"))
                    .count()
                >= 10);
    SimulationReport report = sim.awaitCompletion(Duration.ofSeconds(30));
    assertThat(report.xdsReconnects()).as("reconnects").isGreaterThanOrEqualTo(10);
    assertThat(report.endpointChanges().stream().filter(c -> c.endpoint().equals("127.0.0.1:9103")))
        .as("one change per proxy, not a fresh first assignment")
        .hasSize(10)
        .allMatch(c -> c.newStatus().equals("UNHEALTHY") && c.version().equals("2"));
    assertThat(report.falseActions())
        .as("null scenario: the ejection is a false action, counted once")
        .isEqualTo(1);
  }
}
