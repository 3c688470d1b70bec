package io.meshpulse.bench.loop;

import io.meshpulse.sim.EndpointChange;
import io.meshpulse.sim.RouteChange;
import io.meshpulse.sim.SimulationReport;
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
 * @param removalSeconds onset → the last of those proxies' first removal of the fault (the
 *     simulator's {@code allProxiesRemovalSeconds}: a faulty endpoint ejected, by the control plane
 *     or the proxy's own outlier detection, drained or removed, or its subsets' route weight taken
 *     to 0). The same event for both systems, unlike the reaction, which for meshpulse is often a
 *     first bounded weight step; null when one of them never removed it during the run
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
    return new RunMetrics(
        r.scenario(),
        system,
        r.seed(),
        hasFault,
        hasFault && r.allProxiesReactionSeconds() != null,
        r.allProxiesReactionSeconds(),
        r.firstProxyReactionSeconds(),
        r.allProxiesRemovalSeconds(),
        r.faultyTrafficShareBefore(),
        r.faultyTrafficShareAfter(),
        falseKeys.size() + (int) r.falseRouteActions(),
        changes,
        r.requests(),
        List.copyOf(notes));
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
