package io.meshpulse.xds.routing;

import com.google.re2j.PatternSyntaxException;
import io.meshpulse.xds.routing.RoutingConfig.Destination;
import io.meshpulse.xds.routing.RoutingConfig.Gateway;
import io.meshpulse.xds.routing.RoutingConfig.HttpRoute;
import io.meshpulse.xds.routing.RoutingConfig.Match;
import io.meshpulse.xds.routing.RoutingConfig.Server;
import io.meshpulse.xds.routing.RoutingConfig.StringMatch;
import io.meshpulse.xds.routing.RoutingConfig.VirtualService;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a parsed routing configuration before it is served, the way Istio's Galley did: names are
 * unique, every reference resolves (gateways, services, subsets, ports), weights sum to 100, no
 * route is shadowed by an earlier one, no two gateways claim one host on one port, no two virtual
 * services route one host in one place, and every regex is valid RE2 (Envoy's dialect).
 */
public final class RoutingValidator {
  /** Envoy's HTTP and gRPC {@code retry_on} conditions. */
  static final Set<String> RETRY_ON =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "envoy-ratelimited",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  private final @Nullable Topology topology;
  private final List<RoutingProblem> problems = new ArrayList<>();

  private RoutingValidator(@Nullable Topology topology) {
    this.topology = topology;
  }

  /**
   * Every problem of {@code config}. With a {@code null} topology the references to services,
   * subsets and ports are not checked (offline validation of a routing file alone).
   */
  public static List<RoutingProblem> validate(RoutingConfig config, @Nullable Topology topology) {
    RoutingValidator v = new RoutingValidator(topology);
    v.check(config);
    return List.copyOf(v.problems);
  }

  private void check(RoutingConfig config) {
    Map<String, Gateway> gateways = new HashMap<>();
    for (Gateway g : config.gateways()) {
      if (gateways.putIfAbsent(g.name(), g) != null) {
        problems.add(g.source().problem("", "duplicate Gateway '" + g.name() + "'"));
      }
      if (g.name().equals(RoutingConfig.MESH)) {
        problems.add(g.source().problem("", "'mesh' is reserved for the mesh itself"));
      }
    }
    checkPorts(config.gateways());
    Set<String> vsNames = new HashSet<>();
    Map<String, VirtualService> hostOwners = new HashMap<>();
    for (VirtualService vs : config.virtualServices()) {
      if (!vsNames.add(vs.name())) {
        problems.add(vs.source().problem("", "duplicate VirtualService '" + vs.name() + "'"));
      }
      for (int i = 0; i < vs.gateways().size(); i++) {
        String g = vs.gateways().get(i);
        if (!g.equals(RoutingConfig.MESH) && !gateways.containsKey(g)) {
          problems.add(vs.source().problem("gateways[" + i + "]", "unknown gateway '" + g + "'"));
        }
      }
      List<String> places = vs.gateways().isEmpty() ? List.of(RoutingConfig.MESH) : vs.gateways();
      for (int i = 0; i < vs.hosts().size(); i++) {
        String host = vs.hosts().get(i);
        for (String place : places) {
          VirtualService other = hostOwners.putIfAbsent(place + ' ' + host, vs);
          if (other != null && other != vs) {
            problems.add(
                vs.source()
                    .problem(
                        "hosts[" + i + "]",
                        "host '"
                            + host
                            + "' on "
                            + (place.equals(RoutingConfig.MESH) ? "the mesh" : "gateway " + place)
                            + " is already routed by VirtualService '"
                            + other.name()
                            + "'"));
          }
        }
        if (vs.appliesToMesh() && topology != null && service(host).isEmpty()) {
          problems.add(
              vs.source()
                  .problem(
                      "hosts[" + i + "]",
                      "'"
                          + host
                          + "' is not a service of the topology; a virtual service for the mesh"
                          + " routes a service's own traffic (bind it to a gateway for other"
                          + " hosts)"));
        }
      }
      checkRoutes(vs);
    }
  }

  /** Two servers on one port may share it only with disjoint hosts. */
  private void checkPorts(List<Gateway> gateways) {
    Map<Integer, List<Server>> byPort = new HashMap<>();
    Map<Server, Gateway> owner = new java.util.IdentityHashMap<>();
    for (Gateway g : gateways) {
      for (Server s : g.servers()) {
        owner.put(s, g);
        List<Server> others = byPort.computeIfAbsent(s.port(), p -> new ArrayList<>());
        for (Server o : others) {
          for (String h : s.hosts()) {
            Optional<String> clash = o.hosts().stream().filter(x -> overlaps(x, h)).findFirst();
            if (clash.isPresent()) {
              problems.add(
                  s.source()
                      .problem(
                          "hosts",
                          "host '"
                              + h
                              + "' on port "
                              + s.port()
                              + " conflicts with '"
                              + clash.get()
                              + "' of Gateway '"
                              + owner.get(o).name()
                              + "' on the same port"));
              break;
            }
          }
        }
        others.add(s);
      }
    }
  }

  static boolean overlaps(String a, String b) {
    if (a.equals("*") || b.equals("*") || a.equals(b)) {
      return true;
    }
    return wildcardCovers(a, b) || wildcardCovers(b, a);
  }

  private static boolean wildcardCovers(String pattern, String host) {
    return pattern.startsWith("*.") && host.endsWith(pattern.substring(1));
  }

  private void checkRoutes(VirtualService vs) {
    Set<String> names = new HashSet<>();
    List<HttpRoute> routes = vs.http();
    for (int i = 0; i < routes.size(); i++) {
      HttpRoute r = routes.get(i);
      if (!names.add(r.name())) {
        problems.add(
            r.source()
                .problem("name", "duplicate route name '" + r.name() + "' in '" + vs.name() + "'"));
      }
      for (Match m : r.matches()) {
        checkRegex(m.source().child("uri"), m.uri());
        checkRegex(m.source().child("method"), m.method());
        m.headers().forEach((h, sm) -> checkRegex(m.source().child("headers." + h), sm));
      }
      for (int j = 0; j < i; j++) {
        if (shadows(routes.get(j), r)) {
          problems.add(
              r.source()
                  .problem(
                      "match",
                      "unreachable: route '"
                          + routes.get(j).name()
                          + "' before it matches every request it matches"));
          break;
        }
      }
      checkDestinations(r);
      if (r.retries() != null) {
        for (String c : r.retries().retryOn()) {
          if (!RETRY_ON.contains(c)) {
            problems.add(
                r.source()
                    .problem(
                        "retries.retryOn",
                        "unknown condition '"
                            + c
                            + "'; Envoy knows "
                            + new java.util.TreeSet<>(RETRY_ON)));
          }
        }
      }
    }
  }

  private void checkRegex(Source where, @Nullable StringMatch m) {
    if (m == null || m.kind() != StringMatch.Kind.REGEX) {
      return;
    }
    try {
      com.google.re2j.Pattern.compile(m.value());
    } catch (PatternSyntaxException e) {
      problems.add(
          where.problem("regex", "invalid RE2 regex '" + m.value() + "': " + e.getDescription()));
    }
  }

  private void checkDestinations(HttpRoute r) {
    List<Destination> ds = r.destinations();
    int sum = 0;
    boolean missing = false;
    Set<String> seen = new HashSet<>();
    for (Destination d : ds) {
      Source s = d.source();
      if (!seen.add(d.service() + '/' + d.subset())) {
        problems.add(
            s.problem(
                "destination",
                "duplicate destination "
                    + d.service()
                    + (d.subset().isEmpty() ? "" : " subset " + d.subset())));
      }
      if (d.weight() < 0) {
        missing = true;
      } else {
        sum += d.weight();
      }
      if (topology == null) {
        continue;
      }
      Optional<ServiceSpec> service = service(d.service());
      if (service.isEmpty()) {
        problems.add(
            s.problem(
                "destination.host",
                "unknown service '" + d.service() + "'; the topology has " + serviceNames()));
        continue;
      }
      if (!d.subset().isEmpty()
          && service.get().subsets().stream().noneMatch(x -> x.name().equals(d.subset()))) {
        problems.add(
            s.problem(
                "destination.subset",
                "unknown subset '"
                    + d.subset()
                    + "' of service '"
                    + d.service()
                    + "'; it has "
                    + service.get().subsets().stream().map(x -> x.name()).toList()));
      }
      if (d.port() != 0 && d.port() != service.get().port()) {
        problems.add(
            s.problem(
                "destination.port.number",
                "service '"
                    + d.service()
                    + "' listens on "
                    + service.get().port()
                    + ", not "
                    + d.port()));
      }
    }
    if (ds.size() == 1) {
      if (!missing && sum != 100) {
        problems.add(
            ds.get(0)
                .source()
                .problem(
                    "weight", "a single destination's weight must be 100 or left out, was " + sum));
      }
    } else if (ds.size() > 1) {
      if (missing) {
        for (Destination d : ds) {
          if (d.weight() < 0) {
            problems.add(
                d.source()
                    .problem("weight", "missing: with several destinations each needs a weight"));
          }
        }
      } else if (sum != 100) {
        problems.add(r.source().problem("route", "weights sum to " + sum + ", must sum to 100"));
      }
    }
  }

  private Optional<ServiceSpec> service(String name) {
    return topology == null ? Optional.empty() : topology.service(name);
  }

  private List<String> serviceNames() {
    return topology == null
        ? List.of()
        : topology.services().stream().map(ServiceSpec::name).toList();
  }

  // ---- shadowing: a later route is unreachable when an earlier one matches all it matches ----

  /** Whether {@code earlier} matches every request {@code later} matches. */
  static boolean shadows(HttpRoute earlier, HttpRoute later) {
    if (earlier.matches().isEmpty()) {
      return true;
    }
    if (later.matches().isEmpty()) {
      return false; // later matches everything; only a catch-all covers that
    }
    for (Match m : later.matches()) {
      if (earlier.matches().stream().noneMatch(e -> covers(e, m))) {
        return false;
      }
    }
    return true;
  }

  /** Whether every request matching {@code b} also matches {@code a}. */
  static boolean covers(Match a, Match b) {
    if (!covers(a.uri(), b.uri(), true) || !covers(a.method(), b.method(), false)) {
      return false;
    }
    for (var h : a.headers().entrySet()) {
      if (!covers(h.getValue(), b.headers().get(h.getKey()), false)) {
        return false;
      }
    }
    return true;
  }

  /**
   * @param path whether these match the path, which always starts with '/' (so prefix "/" matches
   *     any path, while a header condition never matches an absent header)
   */
  private static boolean covers(@Nullable StringMatch a, @Nullable StringMatch b, boolean path) {
    if (a == null) {
      return true;
    }
    if (b == null) {
      return path
          && a.kind() == StringMatch.Kind.PREFIX
          && (a.value().isEmpty() || a.value().equals("/"));
    }
    return switch (a.kind()) {
      case EXACT -> b.kind() == StringMatch.Kind.EXACT && b.value().equals(a.value());
      case PREFIX -> b.kind() != StringMatch.Kind.REGEX && b.value().startsWith(a.value());
      case REGEX ->
          b.kind() == StringMatch.Kind.REGEX && b.value().equals(a.value())
              || b.kind() == StringMatch.Kind.EXACT && fullMatch(a.value(), b.value());
    };
  }

  private static boolean fullMatch(String regex, String value) {
    try {
      return com.google.re2j.Pattern.compile(regex).matches(value);
    } catch (PatternSyntaxException e) {
      return false;
    }
  }
}
