package io.meshpulse.bench.xds;

import java.util.ArrayList;
import java.util.List;

/**
 * The served mesh: {@code services} services with one subset each, the first (the target) with
 * {@code targetEndpoints} endpoints, the others with {@code otherEndpoints}.
 */
record BenchTopology(int services, int targetEndpoints, int otherEndpoints) {
  static final int FIRST_ENDPOINT_PORT = 20_000;

  String target() {
    return name(0);
  }

  /** The endpoint whose weight the benchmark changes. */
  String targetEndpoint() {
    return "127.0.0.1:" + FIRST_ENDPOINT_PORT;
  }

  /** The route names Envoy's listeners use (one per service). */
  List<String> routes() {
    List<String> routes = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      routes.add(name(i));
    }
    return routes;
  }

  int endpoints() {
    return targetEndpoints + (services - 1) * otherEndpoints;
  }

  String yaml() {
    StringBuilder b = new StringBuilder("services:\n");
    int port = FIRST_ENDPOINT_PORT;
    for (int i = 0; i < services; i++) {
      b.append("  - name: ").append(name(i)).append('\n');
      b.append("    port: ").append(10_000 + i).append('\n');
      b.append("    protocol: http\n");
      b.append("    subsets:\n      - name: v1\n        labels: {version: v1}\n");
      b.append("        endpoints:\n");
      for (int e = 0; e < (i == 0 ? targetEndpoints : otherEndpoints); e++) {
        b.append("          - {address: 127.0.0.1, port: ")
            .append(port++)
            .append(", locality: {region: local, zone: a}}\n");
      }
    }
    return b.toString();
  }

  private static String name(int i) {
    return String.format("svc%02d", i);
  }
}
