package io.meshpulse.collector.mapping;

import java.util.Optional;

/**
 * An Istio (or Istio-style) Envoy cluster name: {@code
 * outbound|9080|v1|reviews.default.svc.cluster.local} or {@code
 * inbound|9080|http|reviews.default.svc.cluster.local}. The third part is the subset for outbound
 * clusters and the port name for inbound ones, so inbound names never carry a subset.
 */
public record IstioClusterName(Direction direction, int port, String subset, String service) {

  /** The traffic direction encoded in the name. */
  public enum Direction {
    OUTBOUND,
    INBOUND
  }

  /** Parses {@code name}; empty when it is not an Istio-style cluster name. */
  public static Optional<IstioClusterName> parse(String name) {
    String[] parts = name.split("\\|", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    Direction direction;
    if (parts[0].equals("outbound")) {
      direction = Direction.OUTBOUND;
    } else if (parts[0].equals("inbound")) {
      direction = Direction.INBOUND;
    } else {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String subset = direction == Direction.OUTBOUND ? parts[2] : "";
    return Optional.of(new IstioClusterName(direction, port, subset, parts[3]));
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
