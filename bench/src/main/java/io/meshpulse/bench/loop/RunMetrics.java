package io.meshpulse.bench.loop;

import io.meshpulse.sim.EndpointChange;
import io.meshpulse.sim.RouteChange;
import io.meshpulse.sim.SimulationReport;
import io.meshpulse.sim.xds.ClusterName;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The decision-quality figures of one run, derived from the simulator's report.
 *
 * @param hasFault the scenario has a fault that started during the run
 * @param detected every proxy calling the faulty service took traffic away from a faulty endpoint
 *     (an ejection, a lower weight, or a lower route weight for its subset) after onset
 * @param reactionSeconds onset → the last of those proxies' first reaction
 * @param firstProxySeconds onset → the first proxy's reaction
 * @param removalSeconds onset → the last of those proxies' first removal of the fault: a faulty
 *     endpoint ejected (by the control plane or the proxy's own outlier detection), drained or
 *     removed, or the faulty subset's route weight taken to 0. The same event for both systems,
 *     unlike the reaction, which for meshpulse is often a first bounded weight step; null when one
 *     of them never removed it during the run
 * @param shareBefore requests to the faulty endpoints / to the service, in the window before onset
 * @param shareAfter the same after every proxy reacted (or over the end of the run when not all
 *     did)
 * @param falseEjections distinct traffic-reducing changes (cluster, endpoint, version) to endpoints
 *     with no fault at that time, plus route changes of services with no fault; one control-plane
 *     push seen by every proxy counts once, each proxy's own outlier ejection counts once
 * @param changesPerFault the most state changes any one proxy applied after onset to the faulty
 *     endpoints or to the faulty service's routes: a run of pushes that all move the same way
 *     (bounded weight steps down, then an ejection) is one change, and each reversal (weight given
 *     back while the fault lasts) is another; 1 = one clean action, 2 or more = flapping
 * @param notes for a miss: why, from the decision log where there is one
 */
record RunMetrics(
    String scenario,
    String system,
    long seed,
    boolean hasFault,
    boolean detected,
    @Nullable Double reactionSeconds,
    @Nullable Double firstProxySeconds,
    @Nullable Double removalSeconds,
    @Nullable Double shareBefore,
    @Nullable Double shareAfter,
    int falseEjections,
    int changesPerFault,
    long requests,
    List<String> notes) {

  static RunMetrics of(String system, SimulationReport r, List<String> notes) {
    Long onset = r.faultOnsetEpochMs();
    boolean hasFault = onset != null;
    Set<String> falseKeys = new HashSet<>();
    for (EndpointChange c : r.endpointChanges()) {
      if (c.reducesTraffic() && !faulted(r, c.endpoint(), c.epochMs())) {
        falseKeys.add(c.cluster() + "/" + c.endpoint() + "@" + c.version());
      }
    }
    int changes = 0;
    if (hasFault) {
      // per proxy, per push (version, in time order): the direction it moved the faulty traffic
      Map<String, Map<String, Set<String>>> perProxy = new HashMap<>();
      for (EndpointChange c : r.endpointChanges()) {
        if (c.epochMs() >= onset && r.faultyEndpoints().contains(c.endpoint())) {
          perProxy
              .computeIfAbsent(c.proxy(), p -> new LinkedHashMap<>())
              .computeIfAbsent(c.version(), v -> new TreeSet<>())
              .add(c.reducesTraffic() ? "down" : "up");
        }
      }
      // route weights follow the endpoints' states (meshpulse rebalances subsets when it ejects),
      // so a route change counts only for a proxy that changed no faulty endpoint; its direction
      // is the sign of each subset's weight change
      Map<String, Map<String, Set<String>>> routeOnly = new HashMap<>();
      for (RouteChange c : r.routeChanges()) {
        if (c.epochMs() >= onset
            && c.service().equals(r.faultService())
            && !perProxy.containsKey(c.proxy())) {
          Set<String> signs =
              routeOnly
                  .computeIfAbsent(c.proxy(), p -> new LinkedHashMap<>())
                  .computeIfAbsent(c.version(), v -> new TreeSet<>());
          Set<String> subsets = new TreeSet<>(c.before().keySet());
          subsets.addAll(c.after().keySet());
          for (String s : subsets) {
            int d = c.after().getOrDefault(s, 0) - c.before().getOrDefault(s, 0);
            if (d != 0) {
              signs.add(s + (d > 0 ? "+" : "-"));
            }
          }
        }
      }
      perProxy.putAll(routeOnly);
      changes = perProxy.values().stream().mapToInt(RunMetrics::directionRuns).max().orElse(0);
    }
    boolean detected = hasFault && r.allProxiesReactionSeconds() != null;
    return new RunMetrics(
        r.scenario(),
        system,
        r.seed(),
        hasFault,
        detected,
        r.allProxiesReactionSeconds(),
        r.firstProxyReactionSeconds(),
        detected ? removalSeconds(r, onset) : null,
        r.faultyTrafficShareBefore(),
        r.faultyTrafficShareAfter(),
        falseKeys.size() + (int) r.falseRouteActions(),
        changes,
        r.requests(),
        List.copyOf(notes));
  }

  /**
   * Onset → the last reacting proxy's first removal of the fault (see {@code removalSeconds}); null
   * when a proxy that reacted never removed it. A proxy reacted when it took traffic away from a
   * faulty endpoint or subset after onset.
   */
  static @Nullable Double removalSeconds(SimulationReport r, long onset) {
    // The subsets that hold the fault: a subset fault's own, and those of the faulty endpoints'
    // clusters (taking a whole subset out of the route removes its endpoints too).
    Set<String> faultySubsets = new TreeSet<>();
    for (SimulationReport.Fault f : r.faults()) {
      if (f.subset() != null && f.service().equals(r.faultService())) {
        faultySubsets.add(f.subset());
      }
    }
    Set<String> reacted = new TreeSet<>();
    Map<String, Long> removed = new HashMap<>();
    for (EndpointChange c : r.endpointChanges()) {
      if (c.epochMs() >= onset && r.faultyEndpoints().contains(c.endpoint())) {
        ClusterName.parse(c.cluster())
            .map(ClusterName::subset)
            .filter(subset -> !subset.isEmpty())
            .ifPresent(faultySubsets::add);
        if (c.reducesTraffic()) {
          reacted.add(c.proxy());
        }
        if (c.stopsTraffic()) {
          removed.merge(c.proxy(), c.epochMs(), Math::min);
        }
      }
    }
    for (RouteChange c : r.routeChanges()) {
      if (c.epochMs() < onset || !c.service().equals(r.faultService())) {
        continue;
      }
      long before = weightOf(c.before(), faultySubsets);
      long after = weightOf(c.after(), faultySubsets);
      if (after < before) {
        reacted.add(c.proxy());
      }
      if (before > 0 && after == 0) {
        removed.merge(c.proxy(), c.epochMs(), Math::min);
      }
    }
    long last = Long.MIN_VALUE;
    for (String proxy : reacted) {
      Long at = removed.get(proxy);
      if (at == null) {
        return null;
      }
      last = Math.max(last, at);
    }
    return reacted.isEmpty() ? null : (last - onset) / 1000.0;
  }

  /** The route weight of the clusters of {@code subsets}. */
  private static long weightOf(Map<String, Integer> clusterWeights, Set<String> subsets) {
    long weight = 0;
    for (Map.Entry<String, Integer> e : clusterWeights.entrySet()) {
      if (ClusterName.parse(e.getKey()).map(c -> subsets.contains(c.subset())).orElse(false)) {
        weight += e.getValue();
      }
    }
    return weight;
  }

  /** How many runs of same-direction pushes a proxy saw: 1 for one action, more when it flapped. */
  static int directionRuns(Map<String, Set<String>> directionsByVersion) {
    int runs = 0;
    Set<String> last = null;
    for (Set<String> d : directionsByVersion.values()) {
      if (!d.isEmpty() && !d.equals(last)) {
        runs++;
        last = d;
      }
    }
    return runs;
  }

  /** A run that failed to produce a report. */
  static RunMetrics failed(String scenario, String system, long seed, String why) {
    return new RunMetrics(
        scenario, system, seed, true, false, null, null, null, null, null, 0, 0, 0, List.of(why));
  }

  private static boolean faulted(SimulationReport r, String endpoint, long epochMs) {
    return r.faults().stream()
        .anyMatch(f -> f.endpoints().contains(endpoint) && epochMs >= f.onsetEpochMs());
  }
}
