package io.meshpulse.collector.mapping;

import java.util.Optional;

/**
 * An Istio (or Istio-style) Envoy cluster name: {@code
 * outbound|9080|v1|reviews.default.svc.cluster.local}, {@code
 * inbound|9080|http|reviews.default.svc.cluster.local} or, at an ambient-mode waypoint proxy,
 * {@code inbound-vip|9080|http/v1|reviews.default.svc.cluster.local}. The third part is the subset
 * for outbound clusters and the port name for inbound ones, so inbound names never carry a subset.
 * A waypoint's is the protocol ({@code http} or {@code tcp}), followed by {@code /} and the subset
 * when the cluster serves one of a DestinationRule's subsets.
 */
public record IstioClusterName(Direction direction, int port, String subset, String service) {

  /** The traffic direction encoded in the name. */
  public enum Direction {
    OUTBOUND,
    INBOUND,
    /** A waypoint's cluster of a service's VIP ({@code inbound-vip}). */
    WAYPOINT
  }

  private static final String WAYPOINT_PREFIX = "inbound-vip";

  /** Parses {@code name}; empty when it is not an Istio-style cluster name. */
  public static Optional<IstioClusterName> parse(String name) {
    // Exactly four '|'-separated parts; indexOf rather than split: this runs for every entry.
    int first = name.indexOf('|');
    int second = first < 0 ? -1 : name.indexOf('|', first + 1);
    int third = second < 0 ? -1 : name.indexOf('|', second + 1);
    if (third < 0 || name.indexOf('|', third + 1) >= 0) {
      return Optional.empty();
    }
    Direction direction;
    if (name.startsWith("outbound") && first == "outbound".length()) {
      direction = Direction.OUTBOUND;
    } else if (name.startsWith("inbound") && first == "inbound".length()) {
      direction = Direction.INBOUND;
    } else if (name.startsWith(WAYPOINT_PREFIX) && first == WAYPOINT_PREFIX.length()) {
      direction = Direction.WAYPOINT;
    } else {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(name, first + 1, second, 10);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String subset =
        switch (direction) {
          case OUTBOUND -> name.substring(second + 1, third);
          case INBOUND -> "";
          case WAYPOINT -> {
            int slash = name.indexOf('/', second + 1);
            yield slash < 0 || slash > third ? "" : name.substring(slash + 1, third);
          }
        };
    return Optional.of(new IstioClusterName(direction, port, subset, name.substring(third + 1)));
  }

  /** The short service name: {@code reviews} of {@code reviews.default.svc.cluster.local}. */
  public String serviceName() {
    return ServiceNames.shortName(service);
  }

  /** The namespace of a Kubernetes service FQDN, empty otherwise. */
  public String serviceNamespace() {
    return ServiceNames.namespace(service);
  }
}
