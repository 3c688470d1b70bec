package io.meshpulse.sim.xds;

import java.util.Optional;

/** An Istio-style cluster name {@code outbound|<port>|<subset>|<service>} (subset may be empty). */
public record ClusterName(String direction, int port, String subset, String service) {

  public static Optional<ClusterName> parse(String name) {
    String[] parts = name.split("\\|", -1);
    if (parts.length != 4 || parts[3].isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ClusterName(parts[0], Integer.parseInt(parts[1]), parts[2], parts[3]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The name's service without any domain suffix: {@code reviews.default.svc.cluster.local} →
   * reviews.
   */
  public String shortService() {
    int dot = service.indexOf('.');
    return dot < 0 ? service : service.substring(0, dot);
  }

  @Override
  public String toString() {
    return direction + "|" + port + "|" + subset + "|" + service;
  }
}
