package io.meshpulse.xds.snapshot;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.topology.SubsetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * EDS: a ClusterLoadAssignment per cluster, each endpoint with its {@code load_balancing_weight}
 * and {@code health_status} (UNHEALTHY when ejected).
 *
 * <p>Every endpoint sits in a locality of its own (its region and zone, sub-zone = address:port)
 * whose locality weight equals the endpoint weight. Envoy's round robin uses the endpoint weights
 * (locality weights are ignored without locality-weighted load balancing); proxyless gRPC's round
 * robin ignores endpoint weights but honours locality weights (wrr_locality), so both follow the
 * same weights.
 */
public final class EndpointBuilder {
  private EndpointBuilder() {}

  public static List<ClusterLoadAssignment> build(ServiceRouting routing) {
    List<ClusterLoadAssignment> result = new ArrayList<>();
    for (SubsetSpec subset : routing.service().subsets()) {
      result.add(
          assignment(
              ClusterNames.subset(routing.service(), subset.name()),
              routing.endpoints(subset.name())));
    }
    result.add(assignment(ClusterNames.whole(routing.service()), routing.endpoints()));
    return result;
  }

  private static ClusterLoadAssignment assignment(String cluster, List<EndpointRouting> endpoints) {
    ClusterLoadAssignment.Builder b = ClusterLoadAssignment.newBuilder().setClusterName(cluster);
    for (EndpointRouting e : endpoints) {
      // An ejected endpoint gets no traffic unless Envoy's load balancer panics (fewer healthy
      // hosts than its panic threshold, e.g. with Envoy's own outlier detection ejecting too): it
      // then spreads over every host by weight, so an ejected one weighs as little as it can.
      int weight = e.ejected() ? 1 : Math.max(1, e.weight());
      b.addEndpoints(
          LocalityLbEndpoints.newBuilder()
              .setLocality(
                  Locality.newBuilder()
                      .setRegion(e.locality().region())
                      .setZone(e.locality().zone())
                      .setSubZone(e.id().hostPort()))
              .setLoadBalancingWeight(UInt32Value.of(weight))
              .addLbEndpoints(
                  LbEndpoint.newBuilder()
                      .setEndpoint(
                          Endpoint.newBuilder()
                              .setAddress(
                                  Address.newBuilder()
                                      .setSocketAddress(
                                          SocketAddress.newBuilder()
                                              .setAddress(e.id().address())
                                              .setPortValue(e.id().port()))))
                      .setHealthStatus(e.ejected() ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY)
                      .setLoadBalancingWeight(UInt32Value.of(weight))));
    }
    return b.build();
  }
}
