package io.meshpulse.xds.rollout;

import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.routing.RoutingConfig.HttpRoute;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.util.Optional;

/**
 * A declared rollout: subset {@code canary} of {@code service} takes {@code stepPercent} more of
 * the {@code stable} subset's traffic every {@code interval}, up to {@code maxPercent}, while its
 * health holds: at least {@code minHealthyPercent} of its judged endpoints HEALTHY, their mean
 * score and the subset's own score at least {@code minScore}. A firing alert whose label {@code
 * serviceLabel} names the service and {@code subsetLabel} the canary rolls it back. A non-empty
 * {@code route} ({@code <virtual service>/<route>}) limits the rollout to that route of the routing
 * configuration; empty, it moves every route that sends to the stable subset. Build with {@link
 * #builder}; invalid values are refused with the property they came from.
 */
public record RolloutSpec(
    String service,
    String canary,
    String stable,
    int stepPercent,
    Duration interval,
    int maxPercent,
    double minScore,
    int minHealthyPercent,
    String serviceLabel,
    String subsetLabel,
    String route) {

  /** The longest step interval: a rollout that takes a day per step is a manual one. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(1);

  /**
   * @throws IllegalArgumentException naming the first invalid value by its property name
   */
  public RolloutSpec {
    require(!service.isBlank(), "service", "must name the service");
    require(!canary.isBlank(), "subset", "must name the canary subset");
    require(!stable.isBlank(), "stable", "must name the stable subset");
    require(!canary.equals(stable), "stable", "must differ from the canary subset");
    require(maxPercent >= 1 && maxPercent <= 100, "max-percent", "must be in [1, 100]");
    require(
        stepPercent >= 1 && stepPercent <= maxPercent,
        "step-percent",
        "must be in [1, max-percent]");
    // Stored and shown in milliseconds, and added to instants: whole milliseconds, at most a day.
    require(
        interval.compareTo(Duration.ofMillis(1)) >= 0 && interval.compareTo(MAX_INTERVAL) <= 0,
        "interval",
        "must be from 1ms to 1d");
    require(interval.getNano() % 1_000_000 == 0, "interval", "must be whole milliseconds");
    require(minScore >= 0 && minScore <= 1, "min-score", "must be in [0, 1]");
    require(
        minHealthyPercent >= 0 && minHealthyPercent <= 100,
        "min-healthy-percent",
        "must be in [0, 100]");
    require(!serviceLabel.isBlank(), "service-label", "must not be blank");
    require(!subsetLabel.isBlank(), "subset-label", "must not be blank");
    int slash = route.indexOf('/');
    require(
        route.isEmpty() || (slash > 0 && slash < route.length() - 1 && route.strip().equals(route)),
        "route",
        "must be <virtual service>/<route>, or empty for every route: '" + route + "'");
  }

  private static void require(boolean ok, String property, String message) {
    if (!ok) {
      throw new IllegalArgumentException(property + ": " + message);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code <service>/<canary>}: a rollout's identity (one per canary subset). */
  public String key() {
    return service + '/' + canary;
  }

  /** Why this rollout cannot run on {@code topology}, if it cannot: {@code <property>: <why>}. */
  public Optional<String> problemIn(Topology topology) {
    Optional<ServiceSpec> s = topology.service(service);
    if (s.isEmpty()) {
      return Optional.of("service: unknown service '" + service + "' (not in the topology)");
    }
    Optional<SubsetSpec> c = subset(s.get(), canary);
    if (c.isEmpty()) {
      return Optional.of("subset: service '" + service + "' has no subset '" + canary + "'");
    }
    Optional<SubsetSpec> st = subset(s.get(), stable);
    if (st.isEmpty()) {
      return Optional.of("stable: service '" + service + "' has no subset '" + stable + "'");
    }
    if (c.get().routeWeight() != 0) {
      return Optional.of(
          "subset: the canary subset '"
              + canary
              + "' has route weight "
              + c.get().routeWeight()
              + " in the topology; a rollout starts the canary from 0 %: give it route weight 0"
              + " (routeWeights names the other subsets only)");
    }
    if (st.get().routeWeight() == 0) {
      return Optional.of(
          "stable: the stable subset '"
              + stable
              + "' has route weight 0 in the topology: it has no traffic to give the canary");
    }
    return Optional.empty();
  }

  /**
   * Why this rollout cannot run on {@code topology} with {@code routing}, if it cannot: its {@code
   * route} must be a route of the routing configuration that sends to the stable subset. A route
   * that later leaves the configuration makes a progressing rollout hold (see {@link
   * Rollouts#advance}).
   */
  public Optional<String> problemIn(Topology topology, RoutingConfig routing) {
    Optional<String> problem = problemIn(topology);
    return problem.isPresent() ? problem : routeProblemIn(routing);
  }

  /** Why {@code routing} cannot carry this rollout's route, if it has one and cannot. */
  public Optional<String> routeProblemIn(RoutingConfig routing) {
    if (route.isEmpty()) {
      return Optional.empty();
    }
    HttpRoute r = routing.routes().get(route);
    if (r == null) {
      return Optional.of(
          "route: the routing configuration has no route '"
              + route
              + "' (<virtual service>/<route name>, or route-<index> for an unnamed one)");
    }
    if (r.destinations().stream()
        .noneMatch(d -> d.service().equals(service) && d.subset().equals(stable))) {
      return Optional.of(
          "route: route '"
              + route
              + "' sends nothing to subset '"
              + stable
              + "' of '"
              + service
              + "': it has no traffic to give the canary");
    }
    return Optional.empty();
  }

  private static Optional<SubsetSpec> subset(ServiceSpec service, String name) {
    return service.subsets().stream().filter(x -> x.name().equals(name)).findFirst();
  }

  /** Defaults: step 10 % every 5 s up to 100 %, min score 0.8, 80 % of endpoints HEALTHY. */
  public static final class Builder {
    private String service = "";
    private String canary = "";
    private String stable = "";
    private int stepPercent = 10;
    private Duration interval = Duration.ofSeconds(5);
    private int maxPercent = 100;
    private double minScore = 0.8;
    private int minHealthyPercent = 80;
    private String serviceLabel = "destination_service_name";
    private String subsetLabel = "destination_version";
    private String route = "";

    private Builder() {}

    public Builder service(String v) {
      this.service = v;
      return this;
    }

    public Builder canary(String v) {
      this.canary = v;
      return this;
    }

    public Builder stable(String v) {
      this.stable = v;
      return this;
    }

    public Builder stepPercent(int v) {
      this.stepPercent = v;
      return this;
    }

    public Builder interval(Duration v) {
      this.interval = v;
      return this;
    }

    public Builder maxPercent(int v) {
      this.maxPercent = v;
      return this;
    }

    public Builder minScore(double v) {
      this.minScore = v;
      return this;
    }

    public Builder minHealthyPercent(int v) {
      this.minHealthyPercent = v;
      return this;
    }

    public Builder serviceLabel(String v) {
      this.serviceLabel = v;
      return this;
    }

    public Builder subsetLabel(String v) {
      this.subsetLabel = v;
      return this;
    }

    public Builder route(String v) {
      this.route = v;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first invalid value by its property name
     */
    public RolloutSpec build() {
      return new RolloutSpec(
          service,
          canary,
          stable,
          stepPercent,
          interval,
          maxPercent,
          minScore,
          minHealthyPercent,
          serviceLabel,
          subsetLabel,
          route);
    }
  }
}
