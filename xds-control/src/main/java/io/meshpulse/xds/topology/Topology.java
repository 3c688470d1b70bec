package io.meshpulse.xds.topology;

import java.util.List;
import java.util.Optional;

/** The services of the mesh, their subsets (version labels) and endpoints. Immutable. */
public record Topology(List<ServiceSpec> services) {
  public static final Topology EMPTY = new Topology(List.of());

  public Topology {
    services = List.copyOf(services);
  }

  public Optional<ServiceSpec> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
