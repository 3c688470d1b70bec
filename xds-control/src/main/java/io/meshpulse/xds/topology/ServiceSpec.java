package io.meshpulse.xds.topology;

import java.util.List;
import java.util.stream.Stream;

/** One service: its name (= the health records' cluster), service port, protocol and subsets. */
public record ServiceSpec(
    String name, int port, ServiceProtocol protocol, List<SubsetSpec> subsets) {
  public ServiceSpec {
    subsets = List.copyOf(subsets);
  }

  public Stream<EndpointSpec> endpoints() {
    return subsets.stream().flatMap(s -> s.endpoints().stream());
  }
}
