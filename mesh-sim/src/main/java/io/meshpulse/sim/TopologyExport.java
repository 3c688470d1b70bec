package io.meshpulse.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.scenario.SubsetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a scenario's mesh as xds-control's topology YAML (the format of the cross-module
 * contract).
 */
public final class TopologyExport {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private TopologyExport() {}

  public static String toYaml(Scenario scenario) {
    List<Object> services = new ArrayList<>();
    for (ServiceSpec s : scenario.services()) {
      List<Object> subsets = new ArrayList<>();
      for (SubsetSpec sub : s.subsets()) {
        List<Object> endpoints = new ArrayList<>();
        for (EndpointSpec e : sub.endpoints()) {
          Map<String, Object> ep = new LinkedHashMap<>();
          ep.put("address", e.address());
          ep.put("port", e.port());
          ep.put("locality", Map.of("region", "local", "zone", e.zone()));
          endpoints.add(ep);
        }
        Map<String, Object> subset = new LinkedHashMap<>();
        subset.put("name", sub.name());
        subset.put("labels", sub.labels());
        subset.put("endpoints", endpoints);
        subsets.add(subset);
      }
      Map<String, Object> svc = new LinkedHashMap<>();
      svc.put("name", s.name());
      svc.put("port", s.port());
      svc.put("protocol", s.protocol().name().toLowerCase(java.util.Locale.ROOT));
      svc.put("subsets", subsets);
      services.add(svc);
    }
    try {
      return YAML.writeValueAsString(Map.of("services", services));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("topology is not serialisable", e);
    }
  }

  public static void write(Scenario scenario, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toYaml(scenario));
  }
}
