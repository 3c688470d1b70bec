package io.meshpulse.xds.routing;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The routing configuration: gateways and virtual services, shaped like Istio's (see
 * docs/routing.md for the mapping). Parsed by {@link RoutingParser}, checked by {@link
 * RoutingValidator}; a config that reaches the snapshot builder has passed both.
 */
public record RoutingConfig(List<Gateway> gateways, List<VirtualService> virtualServices) {
  public static final RoutingConfig EMPTY = new RoutingConfig(List.of(), List.of());

  /** The name of the pseudo-gateway that stands for every sidecar and proxyless client. */
  public static final String MESH = "mesh";

  public RoutingConfig {
    gateways = List.copyOf(gateways);
    virtualServices = List.copyOf(virtualServices);
  }

  /** The configuration made of several files' resources, in order. */
  public static RoutingConfig merge(List<RoutingConfig> parts) {
    return new RoutingConfig(
        parts.stream().flatMap(p -> p.gateways().stream()).toList(),
        parts.stream().flatMap(p -> p.virtualServices().stream()).toList());
  }

  public boolean isEmpty() {
    return gateways.isEmpty() && virtualServices.isEmpty();
  }

  /** Every HTTP route of every virtual service, by {@link HttpRoute#key}. */
  public Map<String, HttpRoute> routes() {
    Map<String, HttpRoute> routes = new LinkedHashMap<>();
    for (VirtualService vs : virtualServices) {
      for (HttpRoute r : vs.http()) {
        routes.putIfAbsent(r.key(), r);
      }
    }
    return Collections.unmodifiableMap(routes);
  }

  /** A gateway (Istio's {@code Gateway}): servers, each a port with the hosts it accepts. */
  public record Gateway(String name, List<Server> servers, Source source) {
    public Gateway {
      servers = List.copyOf(servers);
    }
  }

  /** One server of a gateway: a port and protocol, and the hosts (or {@code *}) it serves. */
  public record Server(
      int port, String portName, String protocol, List<String> hosts, Source source) {
    public Server {
      hosts = List.copyOf(hosts);
    }
  }

  /**
   * A virtual service: the hosts it routes, where (gateways, and/or {@value #MESH} for the mesh's
   * own clients), and its ordered HTTP routes (the first that matches wins).
   */
  public record VirtualService(
      String name, List<String> hosts, List<String> gateways, List<HttpRoute> http, Source source) {
    public VirtualService {
      hosts = List.copyOf(hosts);
      gateways = List.copyOf(gateways);
      http = List.copyOf(http);
    }

    /** Whether the mesh's sidecars and proxyless clients use this virtual service. */
    public boolean appliesToMesh() {
      return gateways.isEmpty() || gateways.contains(MESH);
    }
  }

  /**
   * One HTTP route. {@code matches} are alternatives (any one matching selects the route); none
   * means every request.
   *
   * @param virtualService the name of the virtual service that holds the route
   * @param name the route's name, or {@code route-<index>} when the file gives none
   */
  public record HttpRoute(
      String virtualService,
      String name,
      List<Match> matches,
      List<Destination> destinations,
      @Nullable Duration timeout,
      @Nullable Retries retries,
      @Nullable Fault fault,
      Source source) {
    public HttpRoute {
      matches = List.copyOf(matches);
      destinations = List.copyOf(destinations);
    }

    /** How shifts, decisions and the API name the route: {@code <virtual service>/<route>}. */
    public String key() {
      return virtualService + '/' + name;
    }
  }

  /** One match condition; every given part must hold. Headers are matched by lower-case name. */
  public record Match(
      @Nullable StringMatch uri,
      @Nullable StringMatch method,
      Map<String, StringMatch> headers,
      Source source) {
    public Match {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }

  /** Istio's StringMatch: exactly one of exact, prefix or regex (RE2 syntax, like Envoy). */
  public record StringMatch(Kind kind, String value) {
    public enum Kind {
      EXACT,
      PREFIX,
      REGEX
    }

    @Override
    public String toString() {
      return kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + value + "'";
    }
  }

  /**
   * A weighted destination: a service of the topology, optionally one of its subsets (otherwise
   * every endpoint of the service).
   *
   * @param port the port the file names, 0 when it names none (the service's port)
   * @param weight percent of the route's traffic; -1 when the file gives none
   */
  public record Destination(String service, String subset, int port, int weight, Source source) {}

  /** Retries: attempts, the timeout of each, and Envoy's {@code retry_on} conditions. */
  public record Retries(int attempts, @Nullable Duration perTryTimeout, List<String> retryOn) {
    public Retries {
      retryOn = List.copyOf(retryOn);
    }
  }

  /**
   * Fault injection for tests: a fixed delay and/or an abort with an HTTP status, each on a
   * percentage of requests.
   */
  public record Fault(
      @Nullable Duration delay, double delayPercent, int abortStatus, double abortPercent) {
    public boolean delays() {
      return delay != null;
    }

    public boolean aborts() {
      return abortStatus > 0;
    }
  }
}
