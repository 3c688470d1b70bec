package io.meshpulse.xds.snapshot;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.routing.RoutingConfig.Fault;
import io.meshpulse.xds.routing.RoutingConfig.Gateway;
import io.meshpulse.xds.routing.RoutingConfig.HttpRoute;
import io.meshpulse.xds.routing.RoutingConfig.Match;
import io.meshpulse.xds.routing.RoutingConfig.Server;
import io.meshpulse.xds.routing.RoutingConfig.StringMatch;
import io.meshpulse.xds.routing.RoutingConfig.VirtualService;
import io.meshpulse.xds.routing.ServedRoutes;
import io.meshpulse.xds.routing.WeightedDestination;
import io.meshpulse.xds.topology.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Translates the routing configuration to Envoy's resources, the way Istio does:
 *
 * <ul>
 *   <li>a gateway port becomes listener {@code 0.0.0.0_<port>} with an HTTP connection manager
 *       whose routes come from RDS {@code http.<port>}; each virtual service bound to a gateway on
 *       that port is a virtual host there, its domains the virtual service's hosts (with and
 *       without {@code :<port>}) that the gateway accepts;
 *   <li>a virtual service for the mesh replaces the route configuration of the service it names
 *       (RDS {@code <service>}, used by the service's outbound listener and proxyless clients);
 *   <li>each HTTP route becomes one Envoy route per match (Istio's matches are alternatives), its
 *       destinations a cluster or weighted clusters ({@code outbound|<port>|<subset>|<service>}),
 *       with timeout, retry policy and per-route fault filter configuration.
 * </ul>
 */
public final class RouteTranslator {
  private RouteTranslator() {}

  /** The route configuration of a service the mesh routes by {@code vs}. */
  public static RouteConfiguration meshRoute(
      String service, VirtualService vs, ServedRoutes served, Map<String, ServiceSpec> services) {
    return RouteConfiguration.newBuilder()
        .setName(service)
        .addVirtualHosts(virtualHost(vs, List.of("*"), served, services))
        .build();
  }

  /** Whether any route of {@code vs} injects faults (its listener then needs the fault filter). */
  public static boolean injectsFaults(VirtualService vs) {
    return vs.http().stream().anyMatch(r -> r.fault() != null);
  }

  /** One listener per gateway port. */
  public static List<Listener> gatewayListeners(ServedRoutes served) {
    return gatewayListeners(served, AccessLogOptions.NONE);
  }

  /** One listener per gateway port, logging every request as {@code accessLog} says. */
  public static List<Listener> gatewayListeners(ServedRoutes served, AccessLogOptions accessLog) {
    List<Listener> listeners = new ArrayList<>();
    for (int port : ports(served.config())) {
      boolean faults =
          boundTo(served.config(), port).stream().anyMatch(RouteTranslator::injectsFaults);
      listeners.add(
          ListenerBuilder.listener(
              gatewayListenerName(port),
              "0.0.0.0",
              port,
              ListenerBuilder.hcm(
                  "outbound_0.0.0.0_" + port, gatewayRouteName(port), faults, accessLog)));
    }
    return listeners;
  }

  /** One route configuration per gateway port, a virtual host per virtual service bound there. */
  public static List<RouteConfiguration> gatewayRoutes(
      ServedRoutes served, Map<String, ServiceSpec> services) {
    List<RouteConfiguration> routes = new ArrayList<>();
    for (int port : ports(served.config())) {
      RouteConfiguration.Builder rc =
          RouteConfiguration.newBuilder().setName(gatewayRouteName(port));
      // Envoy refuses a route configuration that names one domain twice. Two virtual services can
      // reach the same domain on a port although their hosts differ ("*" narrowed to a gateway's
      // "*.example.com", and another's "*.example.com"): the first keeps it, as Istio does.
      Set<String> taken = new java.util.HashSet<>();
      for (VirtualService vs : boundTo(served.config(), port)) {
        List<String> domains =
            domains(vs, accepted(served.config(), vs, port), port).stream()
                .filter(taken::add)
                .toList();
        if (!domains.isEmpty()) {
          rc.addVirtualHosts(virtualHost(vs, domains, served, services));
        }
      }
      routes.add(rc.build());
    }
    return routes;
  }

  public static String gatewayListenerName(int port) {
    return ListenerBuilder.addressName(port);
  }

  public static String gatewayRouteName(int port) {
    return "http." + port;
  }

  private static Set<Integer> ports(RoutingConfig config) {
    Set<Integer> ports = new java.util.TreeSet<>();
    for (Gateway g : config.gateways()) {
      for (Server s : g.servers()) {
        ports.add(s.port());
      }
    }
    return ports;
  }

  private static List<VirtualService> boundTo(RoutingConfig config, int port) {
    return config.virtualServices().stream()
        .filter(vs -> !accepted(config, vs, port).isEmpty())
        .toList();
  }

  /** The hosts the gateways of {@code vs} accept on {@code port}. */
  private static List<String> accepted(RoutingConfig config, VirtualService vs, int port) {
    List<String> hosts = new ArrayList<>();
    for (Gateway g : config.gateways()) {
      if (!vs.gateways().contains(g.name())) {
        continue;
      }
      for (Server s : g.servers()) {
        if (s.port() == port) {
          hosts.addAll(s.hosts());
        }
      }
    }
    return hosts;
  }

  private static List<String> domains(VirtualService vs, List<String> accepted, int port) {
    Set<String> domains = new LinkedHashSet<>();
    for (String host : vs.hosts()) {
      for (String a : accepted) {
        String d = intersect(host, a);
        if (d == null) {
          continue;
        }
        domains.add(d);
        if (!d.equals("*")) {
          domains.add(d + ':' + port);
        }
      }
    }
    return List.copyOf(domains);
  }

  /** The narrower of a virtual service host and a gateway host, or null when they are disjoint. */
  private static @org.jspecify.annotations.Nullable String intersect(String host, String accepted) {
    if (accepted.equals("*") || accepted.equals(host)) {
      return host;
    }
    if (host.equals("*")) {
      return accepted;
    }
    if (accepted.startsWith("*.") && host.endsWith(accepted.substring(1))) {
      return host;
    }
    if (host.startsWith("*.") && accepted.endsWith(host.substring(1))) {
      return accepted;
    }
    return null;
  }

  private static VirtualHost virtualHost(
      VirtualService vs,
      List<String> domains,
      ServedRoutes served,
      Map<String, ServiceSpec> services) {
    VirtualHost.Builder vh = VirtualHost.newBuilder().setName(vs.name()).addAllDomains(domains);
    for (HttpRoute r : vs.http()) {
      vh.addAllRoutes(routes(r, served.weights(r), services));
    }
    return vh.build();
  }

  /** The Envoy routes of one HTTP route: one per match, all with the same action. */
  public static List<Route> routes(
      HttpRoute route, List<WeightedDestination> weights, Map<String, ServiceSpec> services) {
    Route.Builder base =
        Route.newBuilder().setName(route.name()).setRoute(action(route, weights, services));
    if (route.fault() != null) {
      base.putTypedPerFilterConfig(ListenerBuilder.FAULT_FILTER, Any.pack(fault(route.fault())));
    }
    List<Route> result = new ArrayList<>();
    if (route.matches().isEmpty()) {
      result.add(base.setMatch(RouteMatch.newBuilder().setPrefix("/")).build());
    }
    for (Match m : route.matches()) {
      result.add(base.clone().setMatch(match(m)).build());
    }
    return result;
  }

  static RouteMatch match(Match m) {
    RouteMatch.Builder b = RouteMatch.newBuilder();
    StringMatch uri = m.uri();
    if (uri == null) {
      b.setPrefix("/");
    } else {
      switch (uri.kind()) {
        case EXACT -> b.setPath(uri.value());
        case PREFIX -> b.setPrefix(uri.value());
        case REGEX -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.value()));
      }
    }
    if (m.method() != null) {
      b.addHeaders(header(":method", m.method()));
    }
    // Sorted, so the resource (and its version) does not depend on the file's key order.
    new TreeMap<>(m.headers()).forEach((name, sm) -> b.addHeaders(header(name, sm)));
    return b.build();
  }

  private static HeaderMatcher header(String name, StringMatch sm) {
    return HeaderMatcher.newBuilder().setName(name).setStringMatch(stringMatcher(sm)).build();
  }

  static StringMatcher stringMatcher(StringMatch sm) {
    StringMatcher.Builder b = StringMatcher.newBuilder();
    switch (sm.kind()) {
      case EXACT -> b.setExact(sm.value());
      case PREFIX -> b.setPrefix(sm.value());
      case REGEX -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(sm.value()));
    }
    return b.build();
  }

  private static RouteAction action(
      HttpRoute route, List<WeightedDestination> weights, Map<String, ServiceSpec> services) {
    RouteAction.Builder action = RouteAction.newBuilder();
    List<WeightedDestination> positive = weights.stream().filter(w -> w.weight() > 0).toList();
    if (positive.isEmpty() && !weights.isEmpty()) {
      positive = List.of(weights.get(0));
    }
    if (positive.size() == 1) {
      action.setCluster(cluster(positive.get(0), services));
    } else {
      WeightedCluster.Builder wc = WeightedCluster.newBuilder();
      for (WeightedDestination d : positive) {
        wc.addClusters(
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(cluster(d, services))
                .setWeight(UInt32Value.of(d.weight())));
      }
      action.setWeightedClusters(wc);
    }
    // Istio's default: no route timeout unless the virtual service sets one.
    action.setTimeout(protoDuration(route.timeout() == null ? Duration.ZERO : route.timeout()));
    if (route.retries() != null && route.retries().attempts() > 0) {
      RetryPolicy.Builder retry =
          RetryPolicy.newBuilder()
              .setNumRetries(UInt32Value.of(route.retries().attempts()))
              .setRetryOn(
                  route.retries().retryOn().isEmpty()
                      ? "connect-failure,refused-stream,unavailable,cancelled"
                      : String.join(",", route.retries().retryOn()));
      if (route.retries().perTryTimeout() != null) {
        retry.setPerTryTimeout(protoDuration(route.retries().perTryTimeout()));
      }
      action.setRetryPolicy(retry);
    }
    return action.build();
  }

  private static String cluster(WeightedDestination d, Map<String, ServiceSpec> services) {
    ServiceSpec s = services.get(d.service());
    if (s == null) {
      // Validation refuses unknown services; a topology change since then leaves a dangling name
      // that Envoy answers with 503 (no healthy upstream) rather than a NACK.
      return "outbound|0|" + d.subset() + '|' + d.service();
    }
    return ClusterNames.subset(s, d.subset());
  }

  static HTTPFault fault(Fault f) {
    HTTPFault.Builder b = HTTPFault.newBuilder();
    if (f.delays()) {
      b.setDelay(
          FaultDelay.newBuilder()
              .setFixedDelay(protoDuration(f.delay()))
              .setPercentage(percent(f.delayPercent())));
    }
    if (f.aborts()) {
      b.setAbort(
          FaultAbort.newBuilder()
              .setHttpStatus(f.abortStatus())
              .setPercentage(percent(f.abortPercent())));
    }
    return b.build();
  }

  private static FractionalPercent percent(double percent) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percent * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }

  private static com.google.protobuf.Duration protoDuration(Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }
}
