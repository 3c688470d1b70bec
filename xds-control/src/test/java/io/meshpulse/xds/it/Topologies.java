package io.meshpulse.xds.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Topology files for the integration tests. */
final class Topologies {
  private Topologies() {}

  /** One service with one subset v1 over the given ports on 127.0.0.1. */
  static String service(String name, int servicePort, String protocol, int... ports) {
    StringBuilder b = new StringBuilder();
    b.append("  - name: ").append(name).append('\n');
    b.append("    port: ").append(servicePort).append('\n');
    b.append("    protocol: ").append(protocol).append('\n');
    b.append("    subsets:\n      - name: v1\n        labels: {version: v1}\n        endpoints:\n");
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
