package io.meshpulse.bench.loop;

import io.meshpulse.sim.EndpointChange;
import io.meshpulse.sim.RouteChange;
import io.meshpulse.sim.SimulationReport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The decision-quality figures of one run, derived from the simulator's report.
 *
 * @param hasFault the scenario has a fault that started during the run
 * @param detected every proxy calling the faulty service took traffic away from a faulty endpoint
 *     (an ejection, a lower weight, or a lower route weight for its subset) after onset
 * @param reactionSeconds onset → the last of those proxies' first reaction
 * @param firstProxySeconds onset → the first proxy's reaction
 * @param shareBefore requests to the faulty endpoints / to the service, in the window before onset
 * @param shareAfter the same after every proxy reacted (or over the end of the run when not all
 *     did)
 * @param falseEjections distinct traffic-reducing changes (cluster, endpoint, version) to endpoints
 *     with no fault at that time, plus route changes of services with no fault; one control-plane
 *     push seen by every proxy counts once, each proxy's own outlier ejection counts once
 * @param changesPerFault the most changes any one proxy applied after onset to the faulty endpoints
 *     or to the faulty service's routes (distinct versions; 1 = one clean action)
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
      Map<String, Set<String>> perProxy = new HashMap<>();
      for (EndpointChange c : r.endpointChanges()) {
        if (c.epochMs() >= onset && r.faultyEndpoints().contains(c.endpoint())) {
          perProxy.computeIfAbsent(c.proxy(), p -> new HashSet<>()).add(c.version());
        }
      }
      // route weights follow the endpoints' states (meshpulse rebalances subsets when it ejects),
      // so a route change counts only for a proxy that changed no faulty endpoint
      Map<String, Set<String>> routeOnly = new HashMap<>();
      for (RouteChange c : r.routeChanges()) {
        if (c.epochMs() >= onset
            && c.service().equals(r.faultService())
            && !perProxy.containsKey(c.proxy())) {
          routeOnly.computeIfAbsent(c.proxy(), p -> new HashSet<>()).add(c.version());
        }
      }
      perProxy.putAll(routeOnly);
      changes = perProxy.values().stream().mapToInt(Set::size).max().orElse(0);
    }
    return new RunMetrics(
        r.scenario(),
        system,
        r.seed(),
        hasFault,
        hasFault && r.allProxiesReactionSeconds() != null,
        r.allProxiesReactionSeconds(),
        r.firstProxyReactionSeconds(),
        r.faultyTrafficShareBefore(),
        r.faultyTrafficShareAfter(),
        falseKeys.size() + (int) r.falseRouteActions(),
        changes,
        r.requests(),
        List.copyOf(notes));
  }

  /** A run that failed to produce a report. */
  static RunMetrics failed(String scenario, String system, long seed, String why) {
    return new RunMetrics(
        scenario, system, seed, true, false, null, null, null, null, 0, 0, 0, List.of(why));
  }

  private static boolean faulted(SimulationReport r, String endpoint, long epochMs) {
    return r.faults().stream()
        .anyMatch(f -> f.endpoints().contains(endpoint) && epochMs >= f.onsetEpochMs());
  }
}
