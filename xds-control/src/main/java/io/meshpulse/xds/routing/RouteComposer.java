package io.meshpulse.xds.routing;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.RouteWeightChange;
import io.meshpulse.xds.policy.ServiceDecision;
import io.meshpulse.xds.routing.RoutingConfig.Destination;
import io.meshpulse.xds.routing.RoutingConfig.HttpRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Composes the written routes with the route shifts in force (alerts, rollouts): a shift moves
 * weight only on the routes it applies to ({@link RouteShift#appliesTo}), from its {@code from}
 * subset's destination to its {@code to} subset's, and every change it makes is a decision that
 * names the route. A route whose written weights changed (a new file) is configuration, not a
 * decision. Not thread-safe: the control loop is its only caller.
 */
public final class RouteComposer {
  private Map<String, List<WeightedDestination>> previousWritten = Map.of();
  private Map<String, List<WeightedDestination>> previousServed = Map.of();

  /** What one composition serves and decides. */
  public record Composition(ServedRoutes served, List<ServiceDecision> decisions) {
    public Composition {
      decisions = List.copyOf(decisions);
    }
  }

  /** As {@link #compose(RoutingConfig, List, boolean, Set)} with no subset emptied. */
  public Composition compose(RoutingConfig config, List<RouteShift> shifts, boolean dryRun) {
    return compose(config, shifts, dryRun, Set.of());
  }

  /**
   * @param dryRun compute and report shifts, but serve the written weights
   * @param emptied subsets, as {@code service/subset}, with no endpoint in rotation (the policy
   *     ejected every one): their share of a route goes to the route's other destinations
   */
  public Composition compose(
      RoutingConfig config, List<RouteShift> shifts, boolean dryRun, Set<String> emptied) {
    Map<String, List<WeightedDestination>> written = new LinkedHashMap<>();
    Map<String, List<WeightedDestination>> shifted = new LinkedHashMap<>();
    List<ServiceDecision> decisions = new ArrayList<>();
    for (HttpRoute route : config.routes().values()) {
      List<WeightedDestination> w = written(route);
      List<WeightedDestination> s = avoidEmptied(shift(route.key(), w, shifts, emptied), emptied);
      written.put(route.key(), w);
      shifted.put(route.key(), s);
      List<WeightedDestination> before = previousServed.get(route.key());
      if (before != null && w.equals(previousWritten.get(route.key())) && !s.equals(before)) {
        decisions.addAll(decisions(route.key(), before, s, shifts, emptied, dryRun));
      }
    }
    previousWritten = written;
    previousServed = shifted;
    return new Composition(new ServedRoutes(config, dryRun ? written : shifted), decisions);
  }

  /** A route's weights as written, per mille; a single destination without weight gets all. */
  static List<WeightedDestination> written(HttpRoute route) {
    List<WeightedDestination> result = new ArrayList<>();
    for (Destination d : route.destinations()) {
      int w =
          route.destinations().size() == 1 && d.weight() < 0 ? 1000 : 10 * Math.max(0, d.weight());
      result.add(new WeightedDestination(d.service(), d.subset(), w));
    }
    return List.copyOf(result);
  }

  /** The written weights with the shifts applied, but none to a subset in {@code emptied}. */
  static List<WeightedDestination> shift(
      String routeKey,
      List<WeightedDestination> written,
      List<RouteShift> shifts,
      Set<String> emptied) {
    List<WeightedDestination> result = new ArrayList<>(written);
    for (RouteShift s : shifts) {
      if (!s.appliesTo(routeKey) || emptied.contains(s.service() + '/' + s.to())) {
        continue;
      }
      int from = indexOf(result, s.service(), s.from());
      if (from < 0) {
        continue;
      }
      int weight = result.get(from).weight();
      int moved = weight - (int) Math.round(weight * s.remainingPercent() / 100.0);
      if (moved == 0) {
        continue;
      }
      result.set(from, result.get(from).withWeight(weight - moved));
      int to = indexOf(result, s.service(), s.to());
      if (to < 0) {
        result.add(new WeightedDestination(s.service(), s.to(), moved));
      } else {
        result.set(to, result.get(to).withWeight(result.get(to).weight() + moved));
      }
    }
    return List.copyOf(result);
  }

  /**
   * Moves the weight of the destinations in {@code emptied} to the route's other destinations, in
   * proportion to their weights (the total stays the same); a route with no other destination that
   * has weight keeps its weights.
   */
  static List<WeightedDestination> avoidEmptied(
      List<WeightedDestination> weights, Set<String> emptied) {
    int total = 0;
    int kept = 0;
    for (WeightedDestination d : weights) {
      total += d.weight();
      if (!isEmptied(d, emptied)) {
        kept += d.weight();
      }
    }
    if (kept == total || kept == 0) {
      return weights;
    }
    List<WeightedDestination> result = new ArrayList<>(weights.size());
    int given = 0;
    int lastKept = -1;
    for (WeightedDestination d : weights) {
      if (isEmptied(d, emptied)) {
        result.add(d.withWeight(0));
      } else {
        int w = (int) ((long) d.weight() * total / kept);
        given += w;
        if (d.weight() > 0) {
          lastKept = result.size();
        }
        result.add(d.withWeight(w));
      }
    }
    // Rounding down left a few per mille: the last destination with weight takes them.
    WeightedDestination last = result.get(lastKept);
    result.set(lastKept, last.withWeight(last.weight() + total - given));
    return List.copyOf(result);
  }

  private static boolean isEmptied(WeightedDestination d, Set<String> emptied) {
    return !d.subset().isEmpty() && emptied.contains(d.service() + '/' + d.subset());
  }

  /**
   * For each route, the destinations it sends traffic to once the shifts are applied, as {@code
   * service/subset}: the policy must not empty the last of a route's subsets (docs/routing.md).
   */
  public static List<Set<String>> routeDestinations(RoutingConfig config, List<RouteShift> shifts) {
    List<Set<String>> routes = new ArrayList<>();
    for (HttpRoute route : config.routes().values()) {
      Set<String> weighted = new TreeSet<>();
      for (WeightedDestination d : shift(route.key(), written(route), shifts, Set.of())) {
        if (d.weight() > 0) {
          weighted.add(d.service() + '/' + d.subset());
        }
      }
      routes.add(weighted);
    }
    return routes;
  }

  private static int indexOf(List<WeightedDestination> ds, String service, String subset) {
    for (int i = 0; i < ds.size(); i++) {
      if (ds.get(i).sameTarget(service, subset)) {
        return i;
      }
    }
    return -1;
  }

  private static List<ServiceDecision> decisions(
      String routeKey,
      List<WeightedDestination> before,
      List<WeightedDestination> after,
      List<RouteShift> shifts,
      Set<String> emptied,
      boolean dryRun) {
    Map<String, List<RouteWeightChange>> byService = new LinkedHashMap<>();
    Map<String, Integer> old = new HashMap<>();
    for (WeightedDestination d : before) {
      old.put(d.service() + '/' + d.subset(), d.weight());
    }
    Map<String, Integer> now = new HashMap<>();
    for (WeightedDestination d : after) {
      now.put(d.service() + '/' + d.subset(), d.weight());
      int was = old.getOrDefault(d.service() + '/' + d.subset(), 0);
      if (was != d.weight()) {
        byService
            .computeIfAbsent(d.service(), k -> new ArrayList<>())
            .add(new RouteWeightChange(d.label(), was, d.weight(), routeKey));
      }
    }
    for (WeightedDestination d : before) {
      if (!now.containsKey(d.service() + '/' + d.subset())) {
        byService
            .computeIfAbsent(d.service(), k -> new ArrayList<>())
            .add(new RouteWeightChange(d.label(), d.weight(), 0, routeKey));
      }
    }
    List<ServiceDecision> result = new ArrayList<>();
    byService.forEach(
        (service, changes) -> {
          List<RouteShift> applied =
              shifts.stream()
                  .filter(s -> s.service().equals(service) && s.appliesTo(routeKey))
                  .toList();
          List<String> reasons = new ArrayList<>();
          reasons.add("route " + routeKey);
          if (dryRun) {
            reasons.add("dry-run: computed, not served");
          }
          for (RouteShift s : applied) {
            reasons.add(s.describe());
          }
          List<String> out = new ArrayList<>();
          for (WeightedDestination d : after) {
            if (d.service().equals(service) && isEmptied(d, emptied)) {
              out.add(d.subset());
            }
          }
          if (!out.isEmpty()) {
            reasons.add(
                "every endpoint of subset "
                    + String.join(", ", out)
                    + " ejected: its share goes to the route's other destinations");
          }
          result.add(
              new ServiceDecision(
                  service,
                  !applied.isEmpty()
                      ? applied.get(0).trigger()
                      : out.isEmpty()
                          ? DecisionTrigger.DECISION_TRIGGER_ALERT
                          : DecisionTrigger.DECISION_TRIGGER_HEALTH,
                  applied.isEmpty() ? "" : applied.get(0).ref(),
                  List.of(),
                  changes,
                  List.of(),
                  reasons,
                  List.of()));
        });
    return result;
  }
}
