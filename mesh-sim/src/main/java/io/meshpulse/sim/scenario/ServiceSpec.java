package io.meshpulse.sim.scenario;

import java.util.List;
import java.util.Optional;

/** A simulated upstream service. */
public record ServiceSpec(String name, int port, Protocol protocol, List<SubsetSpec> subsets) {
  public ServiceSpec {
    subsets = List.copyOf(subsets);
  }

  /** Every endpoint of every subset, in declaration order. */
  public List<EndpointSpec> endpoints() {
    return subsets.stream().flatMap(s -> s.endpoints().stream()).toList();
  }

  public Optional<SubsetSpec> subset(String subsetName) {
    return subsets.stream().filter(s -> s.name().equals(subsetName)).findFirst();
  }

  /** The subset an endpoint belongs to. */
  public Optional<SubsetSpec> subsetOf(String hostPort) {
    return subsets.stream()
        .filter(s -> s.endpoints().stream().anyMatch(e -> e.hostPort().equals(hostPort)))
        .findFirst();
  }

  /** {@code outbound|<port>|<subset>|<service>}, Istio's cluster name for one subset. */
  public String clusterName(String subsetName) {
    return "outbound|" + port + "|" + subsetName + "|" + name;
  }
}
