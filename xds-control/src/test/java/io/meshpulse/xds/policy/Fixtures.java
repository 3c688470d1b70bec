package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Topologies and health records for policy tests. */
final class Fixtures {
  static final String SERVICE = "reviews";
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private Fixtures() {}

  /** One service with the given subsets, each with {@code perSubset} endpoints on 10.0.s.i. */
  static Topology topology(int perSubset, String... subsets) {
    int[] sizes = new int[subsets.length];
    java.util.Arrays.fill(sizes, perSubset);
    return topology(sizes, subsets);
  }

  /** One service with subsets v1, v2, ... of the given sizes, endpoints on 10.0.s.i. */
  static Topology sized(int... sizes) {
    String[] names = new String[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      names[s] = "v" + (s + 1);
    }
    return topology(sizes, names);
  }

  private static Topology topology(int[] sizes, String[] subsets) {
    List<SubsetSpec> specs = new ArrayList<>();
    for (int s = 0; s < subsets.length; s++) {
      List<EndpointSpec> endpoints = new ArrayList<>();
      for (int i = 0; i < sizes[s]; i++) {
        endpoints.add(new EndpointSpec("10.0." + s + "." + i, 9080, LocalitySpec.NONE));
      }
      specs.add(new SubsetSpec(subsets[s], Map.of("version", subsets[s]), sizes[s], endpoints));
    }
    return new Topology(List.of(new ServiceSpec(SERVICE, 9080, ServiceProtocol.HTTP, specs)));
  }

  static List<EndpointId> ids(Topology topology) {
    return topology.services().get(0).endpoints().map(e -> EndpointId.of(SERVICE, e)).toList();
  }

  static HealthObservation health(
      EndpointId id, HealthState state, double score, double confidence, Instant at) {
    EndpointHealth record =
        EndpointHealth.newBuilder()
            .setCluster(id.service())
            .setEndpoint(Endpoint.newBuilder().setAddress(id.address()).setPort(id.port()))
            .setState(state)
            .setScore(score)
            .setConfidence(confidence)
            .setEmittedUnixMillis(at.toEpochMilli())
            .addReasons("test record")
            .build();
    return new HealthObservation(record, at);
  }

  static HealthObservation healthy(EndpointId id, Instant at) {
    return health(id, HealthState.HEALTH_STATE_HEALTHY, 0.95, 0.9, at);
  }

  static HealthObservation unhealthy(EndpointId id, Instant at) {
    return health(id, HealthState.HEALTH_STATE_UNHEALTHY, 0.1, 0.9, at);
  }

  static HealthObservation degraded(EndpointId id, Instant at) {
    return health(id, HealthState.HEALTH_STATE_DEGRADED, 0.5, 0.9, at);
  }

  /** A table where every endpoint is healthy at {@code at}, except the given observations. */
  static HealthTable table(List<EndpointId> ids, Instant at, HealthObservation... others) {
    Map<String, HealthObservation> map = new HashMap<>();
    for (EndpointId id : ids) {
      map.put(id.key(), healthy(id, at));
    }
    for (HealthObservation o : others) {
      map.put(
          o.record().getCluster()
              + "/"
              + o.record().getEndpoint().getAddress()
              + ":"
              + o.record().getEndpoint().getPort(),
          o);
    }
    return HealthTable.of(map);
  }

  /** Runs the policy, threading its state. */
  static final class Runner {
    final RoutingPolicy policy;
    final Topology topology;
    PolicyState state = PolicyState.INITIAL;
    Map<EndpointId, EndpointOverride> overrides = new HashMap<>();
    List<RouteShift> shifts = new ArrayList<>();
    List<Set<String>> routeDestinations = List.of();
    PolicyResult last;

    Runner(PolicyConfig config, Topology topology) {
      this.policy = new RoutingPolicy(config);
      this.topology = topology;
    }

    PolicyResult step(HealthTable health, Instant now) {
      last =
          policy.evaluate(
              new PolicyInput(topology, health, overrides, shifts, now, state, routeDestinations));
      state = last.state();
      return last;
    }

    EndpointRouting routing(EndpointId id) {
      return last.intended().services().get(id.service()).endpoints().stream()
          .filter(e -> e.id().equals(id))
          .findFirst()
          .orElseThrow();
    }

    List<EndpointChange> changes() {
      return last.decisions().stream().flatMap(d -> d.endpointChanges().stream()).toList();
    }

    long ejected() {
      return last.intended().services().get(SERVICE).endpoints().stream()
          .filter(EndpointRouting::ejected)
          .count();
    }
  }
}
