package io.meshpulse.xds.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.EndpointStatus;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XdsSnapshotsTest {
  private static final EndpointSpec A =
      new EndpointSpec("127.0.0.1", 9101, new LocalitySpec("r", "a", ""));
  private static final EndpointSpec B = new EndpointSpec("127.0.0.1", 9102, LocalitySpec.NONE);
  private static final EndpointSpec C = new EndpointSpec("127.0.0.1", 9103, LocalitySpec.NONE);
  private static final ServiceSpec REVIEWS =
      new ServiceSpec(
          "reviews",
          9080,
          ServiceProtocol.GRPC,
          List.of(
              new SubsetSpec("v1", Map.of(), 2, List.of(A, B)),
              new SubsetSpec("v2", Map.of(), 1, List.of(C))));
  private static final ServiceSpec RATINGS =
      new ServiceSpec(
          "ratings",
          9090,
          ServiceProtocol.HTTP,
          List.of(new SubsetSpec("v1", Map.of(), 1, List.of(B))));

  private static RoutingTable table(
      int weightOfC, boolean ejectA, Map<String, Integer> subsetWeights) {
    Map<String, ServiceRouting> services = new LinkedHashMap<>();
    List<EndpointRouting> reviews = new ArrayList<>();
    reviews.add(
        route(REVIEWS, "v1", A, 100, ejectA ? EndpointStatus.EJECTED : EndpointStatus.ACTIVE));
    reviews.add(route(REVIEWS, "v1", B, 100, EndpointStatus.ACTIVE));
    reviews.add(route(REVIEWS, "v2", C, weightOfC, EndpointStatus.ACTIVE));
    services.put("reviews", new ServiceRouting(REVIEWS, subsetWeights, reviews));
    services.put(
        "ratings",
        new ServiceRouting(
            RATINGS,
            Map.of("v1", 1000),
            List.of(route(RATINGS, "v1", B, 100, EndpointStatus.ACTIVE))));
    return new RoutingTable(services);
  }

  private static EndpointRouting route(
      ServiceSpec s, String subset, EndpointSpec e, int w, EndpointStatus st) {
    return new EndpointRouting(
        EndpointId.of(s.name(), e), subset, e.locality(), w, st, 1.0, List.of(), false);
  }

  private static XdsSnapshots.Resources resources(RoutingTable t, ProxyKind kind) {
    return XdsSnapshots.resources(t, PolicyConfig.DEFAULTS, kind);
  }

  @Test
  void servicesSharingAPort_shareOneEnvoyListener_withAVirtualHostPerService() {
    ServiceSpec details =
        new ServiceSpec(
            "details",
            9080,
            ServiceProtocol.HTTP,
            List.of(new SubsetSpec("v1", Map.of(), 1, List.of(C))));
    Map<String, ServiceRouting> services =
        new LinkedHashMap<>(table(100, false, Map.of("v1", 700, "v2", 300)).services());
    services.put(
        "details",
        new ServiceRouting(
            details,
            Map.of("v1", 1000),
            List.of(route(details, "v1", C, 100, EndpointStatus.ACTIVE))));
    RoutingTable shared = new RoutingTable(services);

    var envoy = resources(shared, ProxyKind.ENVOY);
    assertThat(envoy.listeners())
        .as("one listener per address: reviews and details on 9080, ratings on 9090")
        .extracting(l -> l.getName() + "@" + l.getAddress().getSocketAddress().getPortValue())
        .containsExactly("0.0.0.0_9080@9080", "ratings@9090");
    RouteConfiguration port = route(envoy, "0.0.0.0_9080");
    assertThat(port.getVirtualHostsList())
        .extracting(vh -> vh.getName() + " " + vh.getDomainsList())
        .containsExactly(
            "reviews [reviews, reviews:9080, reviews.*]",
            "details [details, details:9080, details.*]");
    assertThat(port.getVirtualHosts(1).getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080|v1|details");
    assertThat(route(envoy, "ratings").getVirtualHosts(0).getDomainsList())
        .as("a port of its own keeps its catch-all host")
        .containsExactly("*");

    assertThat(resources(shared, ProxyKind.PROXYLESS_GRPC).listeners())
        .as("proxyless clients name their targets: no address to share")
        .extracting(l -> l.getName())
        .contains("reviews", "details", "ratings");
  }

  private static RouteConfiguration route(XdsSnapshots.Resources r, String name) {
    return r.routes().stream().filter(rc -> rc.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void clusters_areNamedIstioStyle_perSubsetAndForTheWholeService() {
    var r = resources(table(100, false, Map.of("v1", 700, "v2", 300)), ProxyKind.ENVOY);
    assertThat(r.clusters())
        .as("cluster names")
        .extracting(c -> c.getName())
        .containsExactly(
            "outbound|9080|v1|reviews",
            "outbound|9080|v2|reviews",
            "outbound|9080||reviews",
            "outbound|9090|v1|ratings",
            "outbound|9090||ratings");
    assertThat(r.clusters().get(0).getOutlierDetection().getMaxEjectionPercent().getValue())
        .as("outlier detection backstop honours max ejection")
        .isEqualTo(20);
    assertThat(r.clusters().get(0).getCommonLbConfig().getHealthyPanicThreshold().getValue())
        .as("panic")
        .isEqualTo(50.0);
    var grpc = resources(table(100, false, Map.of("v1", 700, "v2", 300)), ProxyKind.PROXYLESS_GRPC);
    assertThat(grpc.clusters())
        .as("proxyless gRPC clusters: the same, without grpc-java's outlier detection")
        .extracting(c -> c.getName())
        .containsExactlyElementsOf(r.clusters().stream().map(c -> c.getName()).toList());
    assertThat(grpc.clusters()).allSatisfy(c -> assertThat(c.hasOutlierDetection()).isFalse());
    assertThat(r.clusters()).allSatisfy(c -> assertThat(c.hasOutlierDetection()).isTrue());
  }

  @Test
  void endpoints_carryWeightAndHealthStatus() {
    var r = resources(table(40, true, Map.of("v1", 700, "v2", 300)), ProxyKind.ENVOY);
    ClusterLoadAssignment v1 = r.endpoints().get(0);
    assertThat(v1.getClusterName()).as("name").isEqualTo("outbound|9080|v1|reviews");
    assertThat(v1.getEndpoints(0).getLbEndpoints(0).getHealthStatus())
        .as("ejected")
        .isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(v1.getEndpoints(0).getLbEndpoints(0).getLoadBalancingWeight().getValue())
        .as("an ejected endpoint's weight, were Envoy to panic and route to it anyway")
        .isEqualTo(1);
    assertThat(v1.getEndpoints(0).getLoadBalancingWeight().getValue()).isEqualTo(1);
    assertThat(v1.getEndpoints(1).getLbEndpoints(0).getHealthStatus())
        .as("healthy")
        .isEqualTo(HealthStatus.HEALTHY);
    ClusterLoadAssignment v2 = r.endpoints().get(1);
    assertThat(v2.getEndpoints(0).getLbEndpoints(0).getLoadBalancingWeight().getValue())
        .as("endpoint weight")
        .isEqualTo(40);
    assertThat(v2.getEndpoints(0).getLoadBalancingWeight().getValue())
        .as("locality weight")
        .isEqualTo(40);
    assertThat(r.endpoints().get(2).getEndpointsCount()).as("whole-service endpoints").isEqualTo(3);
  }

  @Test
  void routes_splitTrafficOverSubsetsByWeight_andListenersFitEachProxyKind() {
    var envoy = resources(table(100, false, Map.of("v1", 700, "v2", 300)), ProxyKind.ENVOY);
    RouteConfiguration route = envoy.routes().get(0);
    WeightedCluster wc = route.getVirtualHosts(0).getRoutes(0).getRoute().getWeightedClusters();
    assertThat(wc.getClustersList())
        .as("weighted clusters")
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactlyInAnyOrder("outbound|9080|v1|reviews=700", "outbound|9080|v2|reviews=300");
    assertThat(envoy.listeners())
        .as("envoy listeners")
        .allMatch(l -> l.hasAddress() && !l.hasApiListener());

    var grpc = resources(table(100, false, Map.of("v1", 1000, "v2", 0)), ProxyKind.PROXYLESS_GRPC);
    assertThat(grpc.listeners())
        .as("proxyless listeners named by target authority")
        .extracting(l -> l.getName())
        .containsExactly("reviews", "reviews:9080", "ratings", "ratings:9090");
    assertThat(grpc.listeners()).as("api listeners").allMatch(l -> l.hasApiListener());
    assertThat(grpc.routes().get(0).getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
        .as("a single subset with weight is routed to directly")
        .isEqualTo("outbound|9080|v1|reviews");
  }

  @Test
  void aChangeToOneClustersEndpoints_changesOnlyThatClustersEdsVersions() {
    Map<String, Integer> weights = Map.of("v1", 700, "v2", 300);
    VersionedSnapshot before =
        XdsSnapshots.snapshot(resources(table(100, false, weights), ProxyKind.ENVOY));
    VersionedSnapshot after =
        XdsSnapshots.snapshot(resources(table(60, false, weights), ProxyKind.ENVOY));

    List<String> changed = new ArrayList<>();
    for (ResourceType type :
        List.of(
            ResourceType.CLUSTER,
            ResourceType.ENDPOINT,
            ResourceType.LISTENER,
            ResourceType.ROUTE)) {
      for (String name : after.resources(type).keySet()) {
        if (!before.resourceVersion(type, name).equals(after.resourceVersion(type, name))) {
          changed.add(type + ":" + name);
        }
      }
    }
    assertThat(changed)
        .as("changed resources")
        .containsExactlyInAnyOrder(
            "ENDPOINT:outbound|9080|v2|reviews", "ENDPOINT:outbound|9080||reviews");
    assertThat(after.version(ResourceType.ENDPOINT, List.of("outbound|9090|v1|ratings")))
        .as("a watch on another cluster sees no new version")
        .isEqualTo(before.version(ResourceType.ENDPOINT, List.of("outbound|9090|v1|ratings")));
    assertThat(after.version(ResourceType.ENDPOINT, List.of()))
        .as("the type version changes")
        .isNotEqualTo(before.version(ResourceType.ENDPOINT, List.of()));
  }
}
