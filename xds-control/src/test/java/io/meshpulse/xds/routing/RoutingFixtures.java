package io.meshpulse.xds.routing;

import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologyException;
import io.meshpulse.xds.topology.TopologyParser;
import java.util.List;

/** A topology and routing files for the routing tests. */
final class RoutingFixtures {
  private RoutingFixtures() {}

  static final String TOPOLOGY =
      """
      services:
        - name: my-service
          port: 8080
          subsets:
            - name: v1
              endpoints: [{address: 10.0.0.1, port: 8080}]
            - name: v2
              endpoints: [{address: 10.0.0.2, port: 8080}]
        - name: reviews
          port: 9080
          subsets:
            - name: v1
              endpoints: [{address: 10.0.1.1, port: 9080}]
            - name: v2
              endpoints: [{address: 10.0.1.2, port: 9080}]
      """;

  /** The seed example of docs/routing.md. */
  static final String SEED =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata:
        name: my-gateway
      spec:
        selector:
          istio: ingressgateway
        servers:
          - port:
              number: 80
              name: http
              protocol: HTTP
            hosts:
              - "*"
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: my-service
      spec:
        hosts:
          - "*"
        gateways:
          - my-gateway
        http:
          - name: root
            match:
              - uri:
                  exact: /
            route:
              - destination:
                  host: my-service
                  port:
                    number: 8080
      """;

  static Topology topology() {
    try {
      return TopologyParser.parse("topology.yml", TOPOLOGY);
    } catch (TopologyException e) {
      throw new AssertionError(e);
    }
  }

  static RoutingFiles.Loaded load(String yaml) {
    return RoutingFiles.parse("routes.yml", yaml, topology());
  }

  static RoutingConfig valid(String yaml) {
    RoutingFiles.Loaded loaded = load(yaml);
    if (!loaded.ok()) {
      throw new AssertionError("expected no problems, got " + loaded.problems());
    }
    return loaded.config();
  }

  static List<RoutingProblem> problems(String yaml) {
    return load(yaml).problems();
  }

  /** A virtual service for the mesh routing {@code reviews}, with the given http routes. */
  static String meshVs(String http) {
    return """
        apiVersion: meshpulse.io/v1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts: [reviews]
          http:
        """
        + http.indent(4);
  }
}
