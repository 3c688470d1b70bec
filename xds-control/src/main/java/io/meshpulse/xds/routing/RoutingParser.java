package io.meshpulse.xds.routing;

import io.meshpulse.xds.routing.RoutingConfig.Destination;
import io.meshpulse.xds.routing.RoutingConfig.Fault;
import io.meshpulse.xds.routing.RoutingConfig.Gateway;
import io.meshpulse.xds.routing.RoutingConfig.HttpRoute;
import io.meshpulse.xds.routing.RoutingConfig.Match;
import io.meshpulse.xds.routing.RoutingConfig.Retries;
import io.meshpulse.xds.routing.RoutingConfig.Server;
import io.meshpulse.xds.routing.RoutingConfig.StringMatch;
import io.meshpulse.xds.routing.RoutingConfig.VirtualService;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads routing files: YAML documents of kind {@code Gateway} and {@code VirtualService} in Istio's
 * shape ({@code apiVersion: networking.istio.io/v1} or {@code meshpulse.io/v1}). Every field is
 * checked for its type and every field meshpulse does not implement is reported, each with its
 * line, so a file is either understood completely or refused. Cross-references (services, subsets,
 * gateways) are the {@link RoutingValidator}'s job.
 */
public final class RoutingParser {
  static final Set<String> API_VERSIONS =
      Set.of(
          "meshpulse.io/v1",
          "networking.istio.io/v1",
          "networking.istio.io/v1beta1",
          "networking.istio.io/v1alpha3");

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  private final String file;
  private final FieldLines lines = new FieldLines();
  private final List<RoutingProblem> problems;
  private final List<Gateway> gateways = new ArrayList<>();
  private final List<VirtualService> virtualServices = new ArrayList<>();
  private String resource = "";

  private RoutingParser(String file, List<RoutingProblem> problems) {
    this.file = file;
    this.problems = problems;
  }

  /**
   * Parses one file. Problems are added to {@code problems}; the result holds the resources that
   * could be read, so validation can still report what is wrong with them.
   */
  public static RoutingConfig parse(String file, String yaml, List<RoutingProblem> problems) {
    RoutingParser parser = new RoutingParser(file, problems);
    parser.read(yaml);
    return new RoutingConfig(parser.gateways, parser.virtualServices);
  }

  private void read(String yaml) {
    Yaml loader = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Node> documents = new ArrayList<>();
    try {
      for (Node n : loader.composeAll(new StringReader(yaml))) {
        if (n != null) {
          documents.add(n);
        }
      }
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      problems.add(new RoutingProblem(file, line, "", "", "not valid YAML: " + e.getProblem()));
      return;
    } catch (YAMLException e) {
      problems.add(new RoutingProblem(file, 0, "", "", "not valid YAML: " + e.getMessage()));
      return;
    }
    for (int i = 0; i < documents.size(); i++) {
      document(i, documents.get(i));
    }
  }

  private void document(int index, Node root) {
    resource = "";
    String where = "document " + (index + 1);
    if (!(root instanceof MappingNode)) {
      problems.add(new RoutingProblem(file, line(root), "", where, "must be a mapping"));
      return;
    }
    Map<String, Node> top = peek((MappingNode) root);
    String kind = top.get("kind") instanceof ScalarNode k ? k.getValue() : "";
    String name = "";
    if (top.get("metadata") instanceof MappingNode m
        && peek(m).get("name") instanceof ScalarNode n) {
      name = n.getValue();
    }
    resource = (kind.isEmpty() ? where : kind) + (name.isEmpty() ? "" : "/" + name);
    lines.put(resource, "", line(root));
    Map<String, Node> fields =
        mapping("", root, Set.of("apiVersion", "kind", "metadata", "spec"), Set.of("status"));
    String apiVersion = string("apiVersion", fields.get("apiVersion"));
    if (apiVersion != null && !API_VERSIONS.contains(apiVersion)) {
      problem(
          "apiVersion",
          "'" + apiVersion + "' is not one of " + new java.util.TreeSet<>(API_VERSIONS));
    }
    if (kind.isEmpty()) {
      problem("kind", "missing: must be Gateway or VirtualService");
      return;
    }
    mapping(
        "metadata",
        fields.get("metadata"),
        Set.of("name", "namespace", "labels", "annotations"),
        Set.of());
    if (name.isEmpty()) {
      problem("metadata.name", "missing");
    } else if (!NAME.matcher(name).matches() || name.length() > 253) {
      problem(
          "metadata.name",
          "'" + name + "' must be lower-case letters, digits, '-' and '.' (a DNS-1123 name)");
    }
    Node spec = fields.get("spec");
    if (spec == null) {
      problem("spec", "missing");
      return;
    }
    Source source = new Source(file, resource, "spec", lines);
    switch (kind) {
      case "Gateway" -> gateway(name, spec, source);
      case "VirtualService" -> virtualService(name, spec, source);
      default -> problem("kind", "'" + kind + "' is not supported: use Gateway or VirtualService");
    }
  }

  private void gateway(String name, Node spec, Source source) {
    Map<String, Node> fields = mapping("spec", spec, Set.of("selector", "servers"), Set.of());
    mapping("spec.selector", fields.get("selector"), null, Set.of());
    List<Server> servers = new ArrayList<>();
    List<Node> nodes = sequence("spec.servers", fields.get("servers"));
    if (nodes.isEmpty()) {
      problem("spec.servers", "must list at least one server");
    }
    for (int i = 0; i < nodes.size(); i++) {
      String path = "spec.servers[" + i + "]";
      Map<String, Node> s =
          mapping(
              path,
              nodes.get(i),
              Set.of("port", "hosts", "name"),
              Set.of("tls", "bind", "defaultEndpoint"));
      Map<String, Node> port =
          mapping(
              path + ".port",
              s.get("port"),
              Set.of("number", "name", "protocol"),
              Set.of("targetPort"));
      if (s.get("port") == null) {
        problem(path + ".port", "missing");
      }
      int number = port(path + ".port.number", port.get("number"), true);
      String portName = orEmpty(string(path + ".port.name", port.get("name")));
      String protocol = orEmpty(string(path + ".port.protocol", port.get("protocol")));
      if (protocol.isEmpty()) {
        problem(path + ".port.protocol", "missing: must be HTTP");
      } else if (!protocol.equalsIgnoreCase("HTTP")) {
        problem(
            path + ".port.protocol",
            "'" + protocol + "' is not supported: meshpulse gateways serve plain HTTP only");
      }
      List<String> hosts = strings(path + ".hosts", s.get("hosts"));
      if (hosts.isEmpty()) {
        problem(path + ".hosts", "must list at least one host ('*' for every host)");
      }
      servers.add(
          new Server(
              number,
              portName,
              protocol.toUpperCase(Locale.ROOT),
              hosts.stream().map(RoutingParser::withoutNamespace).toList(),
              source.child("servers[" + i + "]")));
    }
    gateways.add(new Gateway(name, servers, source));
  }

  private void virtualService(String name, Node spec, Source source) {
    Map<String, Node> fields =
        mapping(
            "spec", spec, Set.of("hosts", "gateways", "http"), Set.of("tls", "tcp", "exportTo"));
    List<String> hosts = strings("spec.hosts", fields.get("hosts"));
    if (hosts.isEmpty()) {
      problem("spec.hosts", "must list at least one host");
    }
    List<String> gatewayNames =
        strings("spec.gateways", fields.get("gateways")).stream()
            .map(RoutingParser::withoutNamespace)
            .toList();
    List<HttpRoute> routes = new ArrayList<>();
    List<Node> nodes = sequence("spec.http", fields.get("http"));
    if (nodes.isEmpty()) {
      problem("spec.http", "must list at least one route");
    }
    for (int i = 0; i < nodes.size(); i++) {
      HttpRoute r = route(name, i, nodes.get(i), source.child("http[" + i + "]"));
      if (r != null) {
        routes.add(r);
      }
    }
    virtualServices.add(new VirtualService(name, hosts, gatewayNames, routes, source));
  }

  private @Nullable HttpRoute route(String vs, int index, Node node, Source source) {
    String path = source.path();
    Map<String, Node> f =
        mapping(
            path,
            node,
            Set.of("name", "match", "route", "timeout", "retries", "fault"),
            Set.of(
                "redirect",
                "rewrite",
                "mirror",
                "mirrorPercentage",
                "mirrors",
                "corsPolicy",
                "headers",
                "delegate",
                "directResponse"));
    if (!(node instanceof MappingNode)) {
      return null;
    }
    String name = string(path + ".name", f.get("name"));
    if (name == null || name.isEmpty()) {
      name = "route-" + index;
    } else if (name.contains("/")) {
      problem(path + ".name", "'" + name + "' must not contain '/'");
    }
    List<Match> matches = new ArrayList<>();
    List<Node> matchNodes = sequence(path + ".match", f.get("match"));
    for (int i = 0; i < matchNodes.size(); i++) {
      matches.add(match(matchNodes.get(i), source.child("match[" + i + "]")));
    }
    List<Destination> destinations = new ArrayList<>();
    List<Node> routeNodes = sequence(path + ".route", f.get("route"));
    if (routeNodes.isEmpty()) {
      problem(path + ".route", "must list at least one destination");
    }
    for (int i = 0; i < routeNodes.size(); i++) {
      Destination d = destination(routeNodes.get(i), source.child("route[" + i + "]"));
      if (d != null) {
        destinations.add(d);
      }
    }
    Duration timeout = duration(path + ".timeout", f.get("timeout"));
    Retries retries = retries(path + ".retries", f.get("retries"));
    Fault fault = fault(path + ".fault", f.get("fault"));
    return new HttpRoute(vs, name, matches, destinations, timeout, retries, fault, source);
  }

  private Match match(Node node, Source source) {
    String path = source.path();
    Map<String, Node> f =
        mapping(
            path,
            node,
            Set.of("name", "uri", "method", "headers"),
            Set.of(
                "scheme",
                "authority",
                "port",
                "queryParams",
                "ignoreUriCase",
                "withoutHeaders",
                "sourceLabels",
                "sourceNamespace",
                "gateways",
                "statPrefix"));
    StringMatch uri = stringMatch(path + ".uri", f.get("uri"));
    StringMatch method = stringMatch(path + ".method", f.get("method"));
    Map<String, StringMatch> headers = new LinkedHashMap<>();
    Map<String, Node> h = mapping(path + ".headers", f.get("headers"), null, Set.of());
    h.forEach(
        (k, v) -> {
          StringMatch m = stringMatch(path + ".headers." + k, v);
          if (m != null) {
            headers.put(k.toLowerCase(Locale.ROOT), m);
          }
        });
    if (uri != null && uri.kind() != StringMatch.Kind.REGEX && !uri.value().startsWith("/")) {
      problem(path + ".uri", "a path must start with '/': " + uri);
    }
    return new Match(uri, method, headers, source);
  }

  private @Nullable StringMatch stringMatch(String path, @Nullable Node node) {
    if (node == null) {
      return null;
    }
    Map<String, Node> f = mapping(path, node, Set.of("exact", "prefix", "regex"), Set.of());
    if (f.size() != 1) {
      problem(path, "must have exactly one of exact, prefix or regex");
      return null;
    }
    var e = f.entrySet().iterator().next();
    String value = string(path + "." + e.getKey(), e.getValue());
    if (value == null) {
      return null;
    }
    return new StringMatch(StringMatch.Kind.valueOf(e.getKey().toUpperCase(Locale.ROOT)), value);
  }

  private @Nullable Destination destination(Node node, Source source) {
    String path = source.path();
    Map<String, Node> f = mapping(path, node, Set.of("destination", "weight"), Set.of("headers"));
    Map<String, Node> d =
        mapping(
            path + ".destination",
            f.get("destination"),
            Set.of("host", "subset", "port"),
            Set.of());
    if (f.get("destination") == null) {
      problem(path + ".destination", "missing");
      return null;
    }
    String host = string(path + ".destination.host", d.get("host"));
    if (host == null || host.isEmpty()) {
      problem(path + ".destination.host", "missing");
      return null;
    }
    String subset = orEmpty(string(path + ".destination.subset", d.get("subset")));
    int port = 0;
    if (d.get("port") != null) {
      Map<String, Node> p =
          mapping(path + ".destination.port", d.get("port"), Set.of("number"), Set.of());
      port = port(path + ".destination.port.number", p.get("number"), true);
    }
    int weight = -1;
    if (f.get("weight") != null) {
      weight = integer(path + ".weight", f.get("weight"), 0, 100);
    }
    return new Destination(serviceName(host), subset, port, weight, source);
  }

  private @Nullable Retries retries(String path, @Nullable Node node) {
    if (node == null) {
      return null;
    }
    Map<String, Node> f =
        mapping(
            path,
            node,
            Set.of("attempts", "perTryTimeout", "retryOn"),
            Set.of("retryRemoteLocalities", "retryIgnorePreviousHosts", "backoff"));
    int attempts =
        f.get("attempts") == null ? 0 : integer(path + ".attempts", f.get("attempts"), 0, 100);
    Duration perTry = duration(path + ".perTryTimeout", f.get("perTryTimeout"));
    List<String> retryOn = new ArrayList<>();
    String on = string(path + ".retryOn", f.get("retryOn"));
    if (on != null) {
      for (String c : on.split(",")) {
        if (!c.isBlank()) {
          retryOn.add(c.trim());
        }
      }
    }
    return new Retries(attempts, perTry, retryOn);
  }

  private @Nullable Fault fault(String path, @Nullable Node node) {
    if (node == null) {
      return null;
    }
    Map<String, Node> f = mapping(path, node, Set.of("delay", "abort"), Set.of());
    Duration delay = null;
    double delayPercent = 0;
    if (f.get("delay") != null) {
      Map<String, Node> d =
          mapping(
              path + ".delay",
              f.get("delay"),
              Set.of("fixedDelay", "percentage"),
              Set.of("percent", "exponentialDelay"));
      delay = duration(path + ".delay.fixedDelay", d.get("fixedDelay"));
      if (delay == null) {
        problem(path + ".delay.fixedDelay", "missing");
      }
      delayPercent = percentage(path + ".delay.percentage", d.get("percentage"));
    }
    int abortStatus = 0;
    double abortPercent = 0;
    if (f.get("abort") != null) {
      Map<String, Node> a =
          mapping(
              path + ".abort",
              f.get("abort"),
              Set.of("httpStatus", "percentage"),
              Set.of("grpcStatus", "http2Error"));
      if (a.get("httpStatus") == null) {
        problem(path + ".abort.httpStatus", "missing");
      } else {
        abortStatus = integer(path + ".abort.httpStatus", a.get("httpStatus"), 200, 599);
      }
      abortPercent = percentage(path + ".abort.percentage", a.get("percentage"));
    }
    if (delay == null && abortStatus == 0) {
      return null;
    }
    return new Fault(delay, delayPercent, abortStatus, abortPercent);
  }

  private double percentage(String path, @Nullable Node node) {
    if (node == null) {
      return 100;
    }
    Map<String, Node> p = mapping(path, node, Set.of("value"), Set.of());
    if (!(p.get("value") instanceof ScalarNode s)) {
      problem(path + ".value", "missing");
      return 0;
    }
    try {
      double v = Double.parseDouble(s.getValue());
      if (v >= 0 && v <= 100) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(path + ".value", "'" + s.getValue() + "' must be a number in [0, 100]");
    return 0;
  }

  /** A host as a service name: {@code reviews.default.svc.cluster.local} is {@code reviews}. */
  static String serviceName(String host) {
    int svc = host.indexOf(".svc");
    if (svc > 0) {
      int dot = host.indexOf('.');
      return host.substring(0, dot);
    }
    return host;
  }

  /** Istio allows {@code namespace/name}; namespaces are not modelled, so {@code *}/x is x. */
  private static String withoutNamespace(String s) {
    int slash = s.indexOf('/');
    return slash < 0 ? s : s.substring(slash + 1);
  }

  // ---- YAML helpers: each records the line of what it reads and reports type errors ----

  private static int line(Node n) {
    return n.getStartMark().getLine() + 1;
  }

  private void problem(String path, String message) {
    problems.add(new RoutingProblem(file, lines.lineOf(resource, path), resource, path, message));
  }

  private static Map<String, Node> peek(MappingNode node) {
    Map<String, Node> result = new LinkedHashMap<>();
    for (NodeTuple t : node.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k) {
        result.put(k.getValue(), t.getValueNode());
      }
    }
    return result;
  }

  /**
   * The fields of a mapping. {@code known == null} accepts any key (label maps); otherwise a key in
   * {@code unsupported} is reported as an Istio feature meshpulse lacks, and any other unknown key
   * as unknown.
   */
  private Map<String, Node> mapping(
      String path, @Nullable Node node, @Nullable Set<String> known, Set<String> unsupported) {
    Map<String, Node> result = new LinkedHashMap<>();
    if (node == null) {
      return result;
    }
    lines.put(resource, path, line(node));
    if (!(node instanceof MappingNode m)) {
      problem(path, "must be a mapping");
      return result;
    }
    for (NodeTuple t : m.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
      String child = path.isEmpty() ? key : path + "." + key;
      lines.put(resource, child, line(t.getKeyNode()));
      if (result.containsKey(key)) {
        problem(child, "given twice");
      } else if (known != null && unsupported.contains(key)) {
        problem(child, "not supported by meshpulse (see docs/routing.md for the supported fields)");
      } else if (known != null && !known.contains(key)) {
        problem(child, "unknown field; expected one of " + new java.util.TreeSet<>(known));
      } else {
        result.put(key, t.getValueNode());
      }
    }
    return result;
  }

  private List<Node> sequence(String path, @Nullable Node node) {
    if (node == null) {
      return List.of();
    }
    lines.put(resource, path, line(node));
    if (!(node instanceof SequenceNode s)) {
      problem(path, "must be a list");
      return List.of();
    }
    List<Node> items = s.getValue();
    for (int i = 0; i < items.size(); i++) {
      lines.put(resource, path + "[" + i + "]", line(items.get(i)));
    }
    return items;
  }

  private List<String> strings(String path, @Nullable Node node) {
    List<String> result = new ArrayList<>();
    List<Node> items = sequence(path, node);
    for (int i = 0; i < items.size(); i++) {
      String s = string(path + "[" + i + "]", items.get(i));
      if (s != null && !s.isEmpty()) {
        result.add(s);
      }
    }
    return result;
  }

  private @Nullable String string(String path, @Nullable Node node) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof ScalarNode s)) {
      problem(path, "must be a string");
      return null;
    }
    return s.getValue();
  }

  private int integer(String path, @Nullable Node node, int min, int max) {
    String s = string(path, node);
    if (s != null) {
      try {
        int v = Integer.parseInt(s.trim());
        if (v >= min && v <= max) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problem(path, "'" + s + "' must be an integer in [" + min + ", " + max + "]");
    }
    return min;
  }

  private int port(String path, @Nullable Node node, boolean required) {
    if (node == null) {
      if (required) {
        problem(path, "missing");
      }
      return 0;
    }
    return integer(path, node, 1, 65_535);
  }

  private @Nullable Duration duration(String path, @Nullable Node node) {
    String s = string(path, node);
    if (s == null) {
      return null;
    }
    Duration total = Duration.ZERO;
    Matcher m = DURATION.matcher(s.trim());
    int end = 0;
    while (m.find() && m.start() == end) {
      double amount = Double.parseDouble(m.group(1));
      long millis =
          switch (m.group(2)) {
            case "ms" -> Math.round(amount);
            case "s" -> Math.round(amount * 1_000);
            case "m" -> Math.round(amount * 60_000);
            default -> Math.round(amount * 3_600_000);
          };
      total = total.plusMillis(millis);
      end = m.end();
    }
    if (end == 0 || end != s.trim().length() || total.isZero()) {
      problem(path, "'" + s + "' is not a positive duration like 250ms, 5s, 1m or 1m30s");
      return null;
    }
    return total;
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }
}
