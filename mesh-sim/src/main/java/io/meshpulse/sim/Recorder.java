package io.meshpulse.sim;

import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.scenario.SubsetSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulated fleet did, for reports and the live view. Thread-safe. */
final class Recorder {
  private final long startEpochMs;
  private final int bins;
  private final Map<String, EndpointStats> endpoints = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> noHealthyUpstream = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  // guarded by lock
  private final List<EndpointChange> endpointChanges = new ArrayList<>();
  private final List<RouteChange> routeChanges = new ArrayList<>();

  Recorder(Scenario scenario, long startEpochMs) {
    this.startEpochMs = startEpochMs;
    this.bins = (int) (scenario.duration().toMillis() / EndpointStats.BIN_MS) + 100;
    for (ServiceSpec s : scenario.services()) {
      for (SubsetSpec sub : s.subsets()) {
        for (EndpointSpec e : sub.endpoints()) {
          endpoints.put(
              e.hostPort(),
              new EndpointStats(s.name(), sub.name(), e.hostPort(), startEpochMs, bins));
        }
      }
    }
  }

  long startEpochMs() {
    return startEpochMs;
  }

  /** Stats of an endpoint; endpoints the scenario does not know are added on first use. */
  EndpointStats endpoint(String hostPort, String service, String subset) {
    return endpoints.computeIfAbsent(
        hostPort, h -> new EndpointStats(service, subset, h, startEpochMs, bins));
  }

  Collection<EndpointStats> endpoints() {
    return endpoints.values();
  }

  void noHealthyUpstream(String service) {
    noHealthyUpstream.computeIfAbsent(service, s -> new AtomicLong()).incrementAndGet();
  }

  Map<String, Long> noHealthyUpstreamCounts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    noHealthyUpstream.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  void endpointChanges(List<EndpointChange> changes) {
    synchronized (lock) {
      endpointChanges.addAll(changes);
    }
  }

  void routeChange(RouteChange change) {
    synchronized (lock) {
      routeChanges.add(change);
    }
  }

  List<EndpointChange> endpointChanges() {
    synchronized (lock) {
      return List.copyOf(endpointChanges);
    }
  }

  List<RouteChange> routeChanges() {
    synchronized (lock) {
      return List.copyOf(routeChanges);
    }
  }
}
