package io.meshpulse.sim.xds;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoints of one cluster, parsed from a ClusterLoadAssignment. Locality weights and
 * priorities are flattened: every endpoint of every locality and priority is one candidate with its
 * own load_balancing_weight.
 */
public record Assignment(String name, List<EndpointView> endpoints) {
  public Assignment {
    endpoints = List.copyOf(endpoints);
  }

  /** Rejects what Envoy's validation rejects: weight 0, missing socket addresses, bad ports. */
  public static Assignment parse(ClusterLoadAssignment cla) throws XdsParseException {
    if (cla.getClusterName().isEmpty()) {
      throw new XdsParseException("ClusterLoadAssignment without cluster_name");
    }
    List<EndpointView> out = new ArrayList<>();
    for (LocalityLbEndpoints locality : cla.getEndpointsList()) {
      for (LbEndpoint lb : locality.getLbEndpointsList()) {
        if (!lb.hasEndpoint() || !lb.getEndpoint().getAddress().hasSocketAddress()) {
          throw new XdsParseException(
              cla.getClusterName() + ": lb_endpoint without a socket address");
        }
        var socket = lb.getEndpoint().getAddress().getSocketAddress();
        int port = socket.getPortValue();
        if (socket.getAddress().isEmpty() || port <= 0 || port > 65535) {
          throw new XdsParseException(cla.getClusterName() + ": bad socket address " + socket);
        }
        int weight = 1;
        if (lb.hasLoadBalancingWeight()) {
          weight = lb.getLoadBalancingWeight().getValue();
          if (weight < 1) {
            throw new XdsParseException(
                cla.getClusterName()
                    + ": load_balancing_weight must be >= 1 for "
                    + socket.getAddress()
                    + ":"
                    + port);
          }
        }
        HealthStatus status =
            lb.getHealthStatus() == HealthStatus.UNRECOGNIZED
                ? HealthStatus.UNKNOWN
                : lb.getHealthStatus();
        out.add(new EndpointView(socket.getAddress() + ":" + port, weight, status));
      }
    }
    return new Assignment(cla.getClusterName(), out);
  }

  public Map<String, EndpointView> byHostPort() {
    Map<String, EndpointView> m = new LinkedHashMap<>();
    endpoints.forEach(e -> m.put(e.hostPort(), e));
    return m;
  }
}
