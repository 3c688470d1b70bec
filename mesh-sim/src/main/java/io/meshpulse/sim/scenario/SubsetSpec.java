package io.meshpulse.sim.scenario;

import java.util.List;
import java.util.Map;

/** A subset (version) of a service: its labels and endpoints. */
public record SubsetSpec(String name, Map<String, String> labels, List<EndpointSpec> endpoints) {
  public SubsetSpec {
    labels = Map.copyOf(labels);
    endpoints = List.copyOf(endpoints);
  }
}
