package io.meshpulse.xds.topology;

import com.google.common.net.InetAddresses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the topology YAML (format in docs/routing-policy.md) and validates it, collecting every
 * problem with its path (for example {@code services[0].subsets[1].endpoints[2].port}).
 *
 * <p>A service may carry {@code routeWeights: {v1: 90, v2: 10}}; subsets it does not name get 0.
 * Without it, each subset's weight is its endpoint count.
 */
public final class TopologyParser {
  private TopologyParser() {}

  public static Topology parse(String source, String yaml) throws TopologyException {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new TopologyException(source, List.of("not valid YAML: " + e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    List<ServiceSpec> services = new ArrayList<>();
    if (!(root instanceof Map<?, ?> map) || !(map.get("services") instanceof List<?> list)) {
      throw new TopologyException(source, List.of("the file must have a list 'services'"));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ServiceSpec s = service("services[" + i + "]", list.get(i), problems);
      if (s != null && !names.add(s.name())) {
        problems.add("services[" + i + "].name: duplicate service '" + s.name() + "'");
      }
      if (s != null) {
        services.add(s);
      }
    }
    if (!problems.isEmpty()) {
      throw new TopologyException(source, problems);
    }
    return new Topology(services);
  }

  private static @Nullable ServiceSpec service(String path, Object node, List<String> problems) {
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    String name = name(path + ".name", m.get("name"), problems);
    int port = port(path + ".port", m.get("port"), problems);
    ServiceProtocol protocol = ServiceProtocol.HTTP;
    Object p = m.get("protocol");
    if (p != null) {
      try {
        protocol = ServiceProtocol.valueOf(p.toString().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(path + ".protocol: '" + p + "' is neither http nor grpc");
      }
    }
    if (!(m.get("subsets") instanceof List<?> subsetNodes) || subsetNodes.isEmpty()) {
      problems.add(path + ".subsets: must be a non-empty list");
      return null;
    }
    Map<String, Integer> routeWeights =
        routeWeights(path + ".routeWeights", m.get("routeWeights"), problems);
    List<SubsetSpec> subsets = new ArrayList<>();
    Set<String> endpointsSeen = new HashSet<>();
    for (int i = 0; i < subsetNodes.size(); i++) {
      String sp = path + ".subsets[" + i + "]";
      if (!(subsetNodes.get(i) instanceof Map<?, ?> sm)) {
        problems.add(sp + ": must be a mapping");
        continue;
      }
      String subsetName = name(sp + ".name", sm.get("name"), problems);
      if (subsets.stream().anyMatch(s -> s.name().equals(subsetName))) {
        problems.add(sp + ".name: duplicate subset '" + subsetName + "'");
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (sm.get("labels") instanceof Map<?, ?> lm) {
        lm.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
      } else if (sm.get("labels") != null) {
        problems.add(sp + ".labels: must be a mapping");
      }
      List<EndpointSpec> endpoints = new ArrayList<>();
      if (!(sm.get("endpoints") instanceof List<?> en)) {
        problems.add(sp + ".endpoints: must be a list");
      } else {
        for (int j = 0; j < en.size(); j++) {
          EndpointSpec e = endpoint(sp + ".endpoints[" + j + "]", en.get(j), problems);
          if (e != null && !endpointsSeen.add(e.hostPort())) {
            problems.add(
                sp
                    + ".endpoints["
                    + j
                    + "]: duplicate endpoint "
                    + e.hostPort()
                    + " in service '"
                    + name
                    + "'");
          } else if (e != null) {
            endpoints.add(e);
          }
        }
      }
      int weight =
          routeWeights == null ? endpoints.size() : routeWeights.getOrDefault(subsetName, 0);
      subsets.add(new SubsetSpec(subsetName, labels, weight, endpoints));
    }
    if (routeWeights != null) {
      for (String s : routeWeights.keySet()) {
        if (subsets.stream().noneMatch(x -> x.name().equals(s))) {
          problems.add(
              path + ".routeWeights: unknown subset '" + s + "' in service '" + name + "'");
        }
      }
    }
    return new ServiceSpec(name, port, protocol, subsets);
  }

  private static @Nullable Map<String, Integer> routeWeights(
      String path, @Nullable Object node, List<String> problems) {
    if (node == null) {
      return null;
    }
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + ": must be a mapping of subset to weight");
      return weights;
    }
    m.forEach(
        (k, v) -> {
          if (v instanceof Integer w && w >= 0) {
            weights.put(String.valueOf(k), w);
          } else {
            problems.add(
                path + "." + k + ": weight must be a non-negative integer, was '" + v + "'");
          }
        });
    return weights;
  }

  private static @Nullable EndpointSpec endpoint(String path, Object node, List<String> problems) {
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    Object address = m.get("address");
    if (address == null || address.toString().isBlank()) {
      problems.add(path + ".address: missing");
      return null;
    }
    if (!InetAddresses.isInetAddress(address.toString())) {
      // Envoy's and gRPC's EDS resolve no names: Envoy would reject the whole assignment.
      problems.add(
          path
              + ".address: '"
              + address
              + "' must be an IP address (an endpoint is a pod's address, not a host name)");
      return null;
    }
    int port = port(path + ".port", m.get("port"), problems);
    LocalitySpec locality = LocalitySpec.NONE;
    if (m.get("locality") instanceof Map<?, ?> l) {
      locality = new LocalitySpec(str(l.get("region")), str(l.get("zone")), str(l.get("subZone")));
    }
    return port > 0 ? new EndpointSpec(address.toString(), port, locality) : null;
  }

  private static String str(@Nullable Object o) {
    return o == null ? "" : o.toString();
  }

  private static String name(String path, @Nullable Object node, List<String> problems) {
    String name = node == null ? "" : node.toString();
    if (name.isBlank()) {
      problems.add(path + ": missing");
    } else if (name.contains("|") || name.contains("/")) {
      problems.add(path + ": '" + name + "' must not contain '|' or '/'");
    }
    return name;
  }

  private static int port(String path, @Nullable Object node, List<String> problems) {
    if (node instanceof Integer p && p >= 1 && p <= 65_535) {
      return p;
    }
    problems.add(path + ": bad port '" + node + "', must be an integer in [1, 65535]");
    return -1;
  }
}
