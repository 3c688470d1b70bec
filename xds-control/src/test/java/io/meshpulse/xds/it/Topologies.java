package io.meshpulse.xds.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Topology files for the integration tests. */
final class Topologies {
  private Topologies() {}

  /** One service with one subset v1 over the given ports on 127.0.0.1. */
  static String service(String name, int servicePort, String protocol, int... ports) {
    return header(name, servicePort, protocol) + subset("v1", ports);
  }

  /** One HTTP service with a stable subset v1 and a canary subset v2, one port each. */
  static String canary(String name, int servicePort, int stablePort, int canaryPort) {
    return header(name, servicePort, "http") + subset("v1", stablePort) + subset("v2", canaryPort);
  }

  private static String header(String name, int servicePort, String protocol) {
    return "  - name: "
        + name
        + "\n    port: "
        + servicePort
        + "\n    protocol: "
        + protocol
        + "\n    subsets:\n";
  }

  private static String subset(String name, int... ports) {
    StringBuilder b = new StringBuilder();
    b.append("      - name: ").append(name).append('\n');
    b.append("        labels: {version: ").append(name).append("}\n        endpoints:\n");
    for (int p : ports) {
      b.append("          - {address: 127.0.0.1, port: ")
          .append(p)
          .append(", locality: {region: local, zone: a}}\n");
    }
    return b.toString();
  }

  static Path write(Path dir, String... services) throws IOException {
    Path file = dir.resolve("topology.yml");
    Files.writeString(file, "services:\n" + String.join("", services));
    return file;
  }
}
