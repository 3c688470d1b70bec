package io.meshpulse.sim.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads scenarios from YAML (a file or one of the built-ins) and validates them; every error names
 * the source and the field (for example {@code hard-failure.yaml: services[0].port: must be between
 * 1 and 65535, got 0}). The format is documented in {@code docs/simulator.md}.
 */
public final class ScenarioLoader {
  /** The scenarios shipped as classpath resources, selectable by name. */
  public static final List<String> BUILT_IN =
      List.of(
          "hard-failure",
          "gray-failure",
          "gray-failure-low-volume",
          "latency-regression",
          "overload",
          "bad-canary",
          "null");

  private static final String RESOURCE_DIR = "/io/meshpulse/sim/scenarios/";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ScenarioLoader() {}

  /** A built-in scenario by name, or else a YAML file at that path. */
  public static Scenario load(String nameOrFile) {
    if (BUILT_IN.contains(nameOrFile)) {
      return builtIn(nameOrFile);
    }
    Path file = Path.of(nameOrFile);
    if (!Files.isRegularFile(file)) {
      throw new ScenarioException(
          "'"
              + nameOrFile
              + "' is neither a built-in scenario ("
              + String.join(", ", BUILT_IN)
              + ") nor a readable file");
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new ScenarioException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public static Scenario builtIn(String name) {
    if (!BUILT_IN.contains(name)) {
      throw new ScenarioException(
          "no built-in scenario '" + name + "' (one of " + String.join(", ", BUILT_IN) + ")");
    }
    try (InputStream in = ScenarioLoader.class.getResourceAsStream(RESOURCE_DIR + name + ".yaml")) {
      if (in == null) {
        throw new ScenarioException("built-in scenario resource missing: " + name);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name + ".yaml");
    } catch (IOException e) {
      throw new ScenarioException("cannot read built-in scenario " + name, e);
    }
  }

  /** Parses and validates YAML text; {@code source} names it in error messages. */
  public static Scenario parse(String yaml, String source) {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ScenarioException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new ScenarioException(source + ": empty scenario");
    }
    return new ScenarioReader(new YamlNode(source, "", tree)).read();
  }

  /** Reads one document; holds the cross-references checked while reading. */
  private static final class ScenarioReader {
    private final YamlNode root;
    private final Set<String> hostPorts = new HashSet<>();

    ScenarioReader(YamlNode root) {
      this.root = root;
    }

    Scenario read() {
      root.onlyKeys(
          Set.of("name", "description", "seed", "duration", "services", "proxies", "faults"));
      String name = root.string("name");
      Duration duration = root.duration("duration", Duration.ofSeconds(60));
      if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
        throw root.required("duration").error("must be at least 1s");
      }
      List<ServiceSpec> services = root.list("services", true, this::service);
      if (services.isEmpty()) {
        throw root.required("services").error("needs at least one service");
      }
      Set<String> serviceNames = new HashSet<>();
      for (int i = 0; i < services.size(); i++) {
        if (!serviceNames.add(services.get(i).name())) {
          throw root.error("services[" + i + "].name: duplicate service " + services.get(i).name());
        }
      }
      List<ProxySpec> proxies = root.list("proxies", true, n -> proxy(n, serviceNames));
      if (proxies.isEmpty()) {
        throw root.required("proxies").error("needs at least one proxy group");
      }
      List<FaultSpec> faults = root.list("faults", false, n -> fault(n, services, duration));
      return new Scenario(
          name,
          root.string("description", ""),
          root.longValue("seed", 1L),
          duration,
          services,
          proxies,
          faults);
    }

    private ServiceSpec service(YamlNode n) {
      n.onlyKeys(Set.of("name", "port", "protocol", "latency", "errorRate", "subsets"));
      String name = n.string("name");
      int port = n.intInRange("port", null, 1, 65535);
      String protocolText = n.string("protocol", "http");
      Protocol protocol =
          switch (protocolText) {
            case "http" -> Protocol.HTTP;
            case "grpc" -> Protocol.GRPC;
            default -> throw n.required("protocol").error("must be http or grpc");
          };
      LatencySpec latency = latency(n, new LatencySpec(20, 80));
      double errorRate = n.number("errorRate", 0.001, 0, 1);
      List<SubsetSpec> subsets = n.list("subsets", true, s -> subset(s, latency, errorRate));
      if (subsets.isEmpty()) {
        throw n.required("subsets").error("needs at least one subset");
      }
      Set<String> names = new HashSet<>();
      for (SubsetSpec s : subsets) {
        if (!names.add(s.name())) {
          throw n.required("subsets").error("duplicate subset " + s.name());
        }
      }
      return new ServiceSpec(name, port, protocol, subsets);
    }

    private LatencySpec latency(YamlNode parent, LatencySpec defaultValue) {
      YamlNode l = parent.optional("latency");
      if (l == null) {
        return defaultValue;
      }
      l.onlyKeys(Set.of("medianMs", "p99Ms"));
      double median = l.number("medianMs", null, 0.001, 600_000);
      double p99 = l.number("p99Ms", null, 0.001, 600_000);
      if (p99 < median) {
        throw l.required("p99Ms").error("must be >= medianMs (" + median + ")");
      }
      return new LatencySpec(median, p99);
    }

    private SubsetSpec subset(YamlNode n, LatencySpec latency, double errorRate) {
      n.onlyKeys(Set.of("name", "labels", "endpoints", "replicas", "firstPort"));
      String name = n.string("name");
      Map<String, String> labels = n.stringMap("labels", Map.of("version", name));
      List<EndpointSpec> endpoints =
          new ArrayList<>(n.list("endpoints", false, e -> endpoint(e, latency, errorRate)));
      if (n.has("replicas")) {
        int replicas = n.intInRange("replicas", null, 1, 1000);
        int firstPort = n.intInRange("firstPort", null, 1, 65535);
        for (int i = 0; i < replicas; i++) {
          int port = firstPort + i;
          if (port > 65535) {
            throw n.required("replicas").error("firstPort + replicas runs past port 65535");
          }
          endpoints.add(
              registered(n, new EndpointSpec("127.0.0.1", port, "a", latency, errorRate)));
        }
      } else if (n.has("firstPort")) {
        throw n.required("firstPort").error("only allowed together with replicas");
      }
      if (endpoints.isEmpty()) {
        throw n.error("needs endpoints or replicas + firstPort");
      }
      return new SubsetSpec(name, labels, endpoints);
    }

    private EndpointSpec endpoint(YamlNode n, LatencySpec latency, double errorRate) {
      n.onlyKeys(Set.of("address", "port", "zone", "latency", "errorRate"));
      return registered(
          n,
          new EndpointSpec(
              n.string("address", "127.0.0.1"),
              n.intInRange("port", null, 1, 65535),
              n.string("zone", "a"),
              latency(n, latency),
              n.number("errorRate", errorRate, 0, 1)));
    }

    private EndpointSpec registered(YamlNode n, EndpointSpec e) {
      if (!hostPorts.add(e.hostPort())) {
        throw n.error("endpoint " + e.hostPort() + " is declared twice");
      }
      return e;
    }

    private ProxySpec proxy(YamlNode n, Set<String> serviceNames) {
      n.onlyKeys(Set.of("workload", "app", "version", "namespace", "count", "rps", "calls"));
      String workload = n.string("workload");
      List<String> calls = n.list("calls", true, YamlNode::text);
      if (calls.isEmpty()) {
        throw n.required("calls").error("needs at least one service");
      }
      for (String c : calls) {
        if (!serviceNames.contains(c)) {
          throw n.required("calls").error("unknown service '" + c + "'");
        }
      }
      return new ProxySpec(
          workload,
          n.string("app", workload),
          n.string("version", "v1"),
          n.string("namespace", "default"),
          n.intInRange("count", 1, 1, 250),
          n.number("rps", null, 0.1, 100_000),
          calls);
    }

    private FaultSpec fault(YamlNode n, List<ServiceSpec> services, Duration runDuration) {
      n.onlyKeys(
          Set.of(
              "kind",
              "service",
              "subset",
              "endpoint",
              "at",
              "duration",
              "mode",
              "errorRate",
              "latencyFactor",
              "ramp"));
      FaultKind kind;
      try {
        kind = FaultKind.fromYaml(n.string("kind"));
      } catch (IllegalArgumentException e) {
        throw n.required("kind").error(e.getMessage());
      }
      String serviceName = n.string("service");
      ServiceSpec service =
          services.stream()
              .filter(s -> s.name().equals(serviceName))
              .findFirst()
              .orElseThrow(
                  () -> n.required("service").error("unknown service '" + serviceName + "'"));
      String subset = n.has("subset") ? n.string("subset") : null;
      String endpoint = n.has("endpoint") ? n.string("endpoint") : null;
      if ((subset == null) == (endpoint == null)) {
        throw n.error("needs exactly one of endpoint (address:port) or subset");
      }
      if (subset != null && service.subset(subset).isEmpty()) {
        throw n.required("subset")
            .error("service " + serviceName + " has no subset '" + subset + "'");
      }
      if (endpoint != null && service.subsetOf(endpoint).isEmpty()) {
        throw n.required("endpoint")
            .error("service " + serviceName + " has no endpoint '" + endpoint + "'");
      }
      Duration at = n.duration("at", Duration.ofSeconds(30));
      if (at.compareTo(runDuration) >= 0) {
        throw n.required("at")
            .error("starts at or after the end of the run (" + Durations.format(runDuration) + ")");
      }
      Duration duration = n.duration("duration", null);
      HardFailureMode mode =
          switch (n.string("mode", "connect-failure")) {
            case "connect-failure" -> HardFailureMode.CONNECT_FAILURE;
            case "http-503" -> HardFailureMode.HTTP_503;
            default -> throw n.required("mode").error("must be connect-failure or http-503");
          };
      double defaultErrorRate =
          switch (kind) {
            case GRAY_FAILURE -> 0.04;
            case BAD_CANARY -> 0.3;
            case OVERLOAD -> 0.1;
            default -> 0.0;
          };
      double defaultFactor =
          switch (kind) {
            case LATENCY_REGRESSION -> 3.0;
            case OVERLOAD -> 4.0;
            default -> 1.0;
          };
      return new FaultSpec(
          kind,
          serviceName,
          subset,
          endpoint,
          at,
          duration,
          mode,
          n.number("errorRate", defaultErrorRate, 0, 1),
          n.number("latencyFactor", defaultFactor, 1, 1000),
          n.duration("ramp", Duration.ofSeconds(10)));
    }
  }
}
