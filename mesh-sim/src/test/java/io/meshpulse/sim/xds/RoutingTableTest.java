package io.meshpulse.sim.xds;

import static io.meshpulse.sim.xds.XdsFixtures.Ep;
import static io.meshpulse.sim.xds.XdsFixtures.cla;
import static io.meshpulse.sim.xds.XdsFixtures.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.sim.scenario.ServiceSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  static final ServiceSpec REVIEWS =
      ScenarioLoader.builtIn("null").service("reviews").orElseThrow();
  static final String V1 = "outbound|9080|v1|reviews";
  static final String V2 = "outbound|9080|v2|reviews";

  static XdsState state(List<Cluster> clusters, List<ClusterLoadAssignment> clas)
      throws XdsParseException {
    Map<String, Cluster> c = new LinkedHashMap<>();
    clusters.forEach(x -> c.put(x.getName(), x));
    Map<String, Assignment> a = new HashMap<>();
    for (ClusterLoadAssignment x : clas) {
      a.put(x.getClusterName(), Assignment.parse(x));
    }
    return XdsState.EMPTY.withClusters(c, Map.of(), a);
  }

  static Map<String, Integer> traffic(ServiceRoute route, int n) {
    SplittableRandom r = new SplittableRandom(1);
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      ClusterRoute c = route.clusters().pick(r);
      out.merge(c.endpoints() == null ? "none" : c.endpoints().pick(r), 1, Integer::sum);
    }
    return out;
  }

  @Test
  void withoutXds_trafficIsEvenOverAllScenarioEndpoints() {
    Map<String, Integer> t = traffic(RoutingTable.build(REVIEWS, XdsState.EMPTY, 50), 100_000);
    assertThat(t).as("every endpoint").hasSize(10);
    t.values().forEach(v -> assertThat(v / 100_000.0).as("even share").isBetween(0.09, 0.11));
  }

  @Test
  void unhealthyDrainingAndTimeout_getNoTraffic() throws Exception {
    XdsState s =
        state(
            List.of(edsCluster(V1)),
            List.of(
                cla(
                    V1,
                    Ep.of("127.0.0.1:9101", 1),
                    Ep.of("127.0.0.1:9102", 1),
                    Ep.of("127.0.0.1:9103", 1),
                    new Ep("127.0.0.1:9104", 1, HealthStatus.UNHEALTHY),
                    new Ep("127.0.0.1:9105", 1, HealthStatus.DRAINING),
                    new Ep("127.0.0.1:9106", 1, HealthStatus.TIMEOUT),
                    new Ep("127.0.0.1:9107", 1, HealthStatus.UNKNOWN))));
    Map<String, Integer> t = traffic(RoutingTable.build(REVIEWS, s, 0), 10_000);
    assertThat(t.keySet())
        .as("served")
        .containsExactlyInAnyOrder(
            "127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9107");
  }

  @Test
  void belowThePanicThreshold_everyHostGetsTraffic() throws Exception {
    List<ClusterLoadAssignment> clas =
        List.of(
            cla(
                V1,
                Ep.of("127.0.0.1:9101", 1),
                new Ep("127.0.0.1:9102", 1, HealthStatus.UNHEALTHY),
                new Ep("127.0.0.1:9103", 1, HealthStatus.UNHEALTHY)));
    Map<String, Integer> panic =
        traffic(RoutingTable.build(REVIEWS, state(List.of(edsCluster(V1)), clas), 50), 10_000);
    assertThat(panic).as("33 % healthy < 50 %: panic").hasSize(3);
    Map<String, Integer> noPanic =
        traffic(RoutingTable.build(REVIEWS, state(List.of(edsCluster(V1, 0)), clas), 50), 10_000);
    assertThat(noPanic.keySet())
        .as("threshold 0 from the cluster")
        .containsExactly("127.0.0.1:9101");
  }

  @Test
  void allHostsUnhealthyWithoutPanic_meansNoHealthyUpstream() throws Exception {
    XdsState s =
        state(
            List.of(edsCluster(V1, 0)),
            List.of(cla(V1, new Ep("127.0.0.1:9101", 1, HealthStatus.UNHEALTHY))));
    assertThat(traffic(RoutingTable.build(REVIEWS, s, 50), 100).keySet())
        .as("no host")
        .containsExactly("none");
  }

  @Test
  void endpointWeights_shareTrafficInProportion() throws Exception {
    XdsState s =
        state(
            List.of(edsCluster(V1)),
            List.of(cla(V1, Ep.of("127.0.0.1:9101", 1), Ep.of("127.0.0.1:9102", 3))));
    Map<String, Integer> t = traffic(RoutingTable.build(REVIEWS, s, 50), 40_000);
    assertThat(t.get("127.0.0.1:9102") / 40_000.0).as("weight 3 of 4").isBetween(0.74, 0.76);
  }

  @Test
  void routeWeights_fromAnInlineListenerRoute_splitTrafficBetweenSubsets() throws Exception {
    XdsState s =
        state(
                List.of(edsCluster(V1), edsCluster(V2)),
                List.of(cla(V1, Ep.of("127.0.0.1:9101", 1)), cla(V2, Ep.of("127.0.0.1:9105", 1))))
            .withListeners(
                Set.of(),
                ListenerRoutes.of(
                        List.of(
                            XdsFixtures.inlineApiListener(
                                "reviews:9080",
                                XdsFixtures.route("r", "reviews", 9080, Map.of(V1, 90, V2, 10)))))
                    .inline());
    ServiceRoute route = RoutingTable.build(REVIEWS, s, 50);
    assertThat(route.routeWeights()).as("route weights").isEqualTo(Map.of(V1, 90, V2, 10));
    Map<String, Integer> t = traffic(route, 20_000);
    assertThat(t.get("127.0.0.1:9105") / 20_000.0).as("v2 share").isBetween(0.09, 0.11);
  }

  @Test
  void routeLookup_matchesTheServicesVirtualHostOnly() throws Exception {
    var other = XdsFixtures.route("9081", "ratings", 9081, Map.of("outbound|9081|v1|ratings", 1));
    var mine = XdsFixtures.route("9080", "reviews", 9080, Map.of(V2, 5));
    assertThat(RouteWeights.forService(List.of(other, mine), "reviews", 9080))
        .as("reviews")
        .contains(Map.of(V2, 5));
    assertThat(RouteWeights.forService(List.of(other), "details", 9082)).as("no route").isEmpty();
  }

  @Test
  void invalidResources_areRejectedLikeEnvoyDoes() {
    assertThatThrownBy(() -> Assignment.parse(cla(V1, Ep.of("127.0.0.1:9101", 0))))
        .as("weight 0")
        .isInstanceOf(XdsParseException.class)
        .hasMessageContaining("load_balancing_weight must be >= 1");
    assertThatThrownBy(
            () -> RouteWeights.validate(XdsFixtures.route("r", "reviews", 9080, Map.of(V1, 0))))
        .as("weights sum 0")
        .isInstanceOf(XdsParseException.class)
        .hasMessageContaining("sum to 0");
  }

  @Test
  void endpointDiff_reportsWeightStatusAndRemovalButNotTheFirstAssignment() throws Exception {
    XdsState empty = state(List.of(edsCluster(V1)), List.of());
    XdsState first =
        state(
            List.of(edsCluster(V1)),
            List.of(
                cla(
                    V1,
                    Ep.of("127.0.0.1:9101", 10),
                    Ep.of("127.0.0.1:9102", 10),
                    Ep.of("127.0.0.1:9103", 10))));
    XdsState second =
        state(
            List.of(edsCluster(V1)),
            List.of(
                cla(
                    V1,
                    Ep.of("127.0.0.1:9101", 4),
                    new Ep("127.0.0.1:9102", 10, HealthStatus.UNHEALTHY))));
    assertThat(EndpointDiff.between(empty, first)).as("first assignment").isEmpty();
    assertThat(EndpointDiff.between(first, first)).as("same").isEmpty();
    List<EndpointDiff> d = EndpointDiff.between(first, second);
    assertThat(d)
        .as("changes")
        .containsExactlyInAnyOrder(
            new EndpointDiff(V1, "127.0.0.1:9101", 10, 4, "HEALTHY", "HEALTHY"),
            new EndpointDiff(V1, "127.0.0.1:9102", 10, 10, "HEALTHY", "UNHEALTHY"),
            new EndpointDiff(V1, "127.0.0.1:9103", 10, 0, "HEALTHY", "REMOVED"));
    assertThat(d).as("all reduce traffic").allMatch(EndpointDiff::reducesTraffic);
    assertThat(EndpointDiff.between(second, first).stream().filter(EndpointDiff::reducesTraffic))
        .as("restoring reduces nothing")
        .isEmpty();
  }

  static io.envoyproxy.envoy.config.route.v3.RouteConfiguration wildcard(
      String service, io.envoyproxy.envoy.config.route.v3.RouteAction action) {
    return io.envoyproxy.envoy.config.route.v3.RouteConfiguration.newBuilder()
        .setName(service)
        .addVirtualHosts(
            io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder()
                .setName(service)
                .addDomains("*")
                .addRoutes(
                    io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                        .setMatch(
                            io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder()
                                .setPrefix("/"))
                        .setRoute(action)))
        .build();
  }

  @Test
  void routeLookup_findsPerServiceRouteConfigurationsWithAWildcardDomain() {
    var reviewsAction =
        io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder()
            .setWeightedClusters(
                XdsFixtures.route("x", "reviews", 9080, Map.of(V1, 80, V2, 20))
                    .getVirtualHosts(0)
                    .getRoutes(0)
                    .getRoute()
                    .getWeightedClusters());
    var ratingsAction =
        io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder()
            .setCluster("outbound|9081||ratings");
    var configs =
        List.of(
            wildcard("ratings", ratingsAction.build()), wildcard("reviews", reviewsAction.build()));
    assertThat(RouteWeights.forService(configs, "reviews", 9080))
        .as("reviews")
        .contains(Map.of(V1, 80, V2, 20));
    assertThat(RouteWeights.forService(configs, "ratings", 9081))
        .as("ratings, one cluster")
        .contains(Map.of("outbound|9081||ratings", 1));
  }
}
