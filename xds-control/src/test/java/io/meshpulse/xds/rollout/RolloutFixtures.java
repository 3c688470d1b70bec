package io.meshpulse.xds.rollout;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.routing.RoutingFiles;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Service reviews: stable v1 (10.0.1.1-2, route weight 100) and canary v2 (10.0.2.1-2, weight 0).
 */
final class RolloutFixtures {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Topology TOPOLOGY =
      new Topology(
          List.of(
              new ServiceSpec(
                  "reviews",
                  9080,
                  ServiceProtocol.HTTP,
                  List.of(
                      subset("v1", 100, "10.0.1.1", "10.0.1.2"),
                      subset("v2", 0, "10.0.2.1", "10.0.2.2")))));
  static final List<String> CANARY = List.of("10.0.2.1", "10.0.2.2");

  private RolloutFixtures() {}

  /**
   * A routing file for reviews: route {@code testers} (header {@code x-tester: true}) to the canary
   * v2, route {@code default} to v1.
   */
  static final String ROUTES =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts: [reviews]
        http:
          - name: testers
            match:
              - headers:
                  x-tester:
                    exact: "true"
            route:
              - destination: {host: reviews, subset: v2}
          - name: default
            route:
              - destination: {host: reviews, subset: v1}
      """;

  static SubsetSpec subset(String name, int weight, String... addresses) {
    return new SubsetSpec(
        name,
        Map.of("version", name),
        weight,
        java.util.Arrays.stream(addresses)
            .map(a -> new EndpointSpec(a, 9080, LocalitySpec.NONE))
            .toList());
  }

  static RolloutSpec.Builder spec() {
    return RolloutSpec.builder()
        .service("reviews")
        .canary("v2")
        .stable("v1")
        .stepPercent(25)
        .interval(Duration.ofSeconds(1));
  }

  /** {@link #ROUTES}, parsed against {@link #TOPOLOGY}. */
  static RoutingConfig routing() {
    return RoutingFiles.parse("routes.yml", ROUTES, TOPOLOGY).config();
  }

  static Rollouts rollouts(RolloutSpec spec) {
    return new Rollouts(Duration.ofSeconds(10), 0.3, List.of(spec), T0);
  }

  static HealthObservation endpoint(String address, HealthState state, double score, Instant at) {
    EndpointHealth h =
        EndpointHealth.newBuilder()
            .setCluster("reviews")
            .setEndpoint(Endpoint.newBuilder().setAddress(address).setPort(9080))
            .setState(state)
            .setScore(score)
            .setConfidence(0.9)
            .setEmittedUnixMillis(at.toEpochMilli())
            .addReasons("test " + state)
            .build();
    return new HealthObservation(h, at);
  }

  /** Every canary endpoint with the given state and score at {@code at}. */
  static HealthTable canary(HealthState state, double score, Instant at) {
    Map<String, HealthObservation> map = new HashMap<>();
    for (String a : CANARY) {
      map.put("reviews/" + a + ":9080", endpoint(a, state, score, at));
    }
    return HealthTable.of(map);
  }

  static HealthTable healthy(Instant at) {
    return canary(HealthState.HEALTH_STATE_HEALTHY, 0.95, at);
  }

  static Map<String, ServiceHealth> subsetHealth(HealthState state, double score, Instant at) {
    return Map.of(
        "reviews/v2",
        ServiceHealth.newBuilder()
            .setCluster("reviews")
            .setSubset("v2")
            .setState(state)
            .setScore(score)
            .setEmittedUnixMillis(at.toEpochMilli())
            .addReasons("error rate 20.0 % across 2 endpoints")
            .build());
  }
}
