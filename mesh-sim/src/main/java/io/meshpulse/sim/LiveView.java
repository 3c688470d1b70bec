package io.meshpulse.sim;

import io.meshpulse.sim.model.FaultTimeline;
import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.scenario.SubsetSpec;
import io.meshpulse.sim.xds.Assignment;
import io.meshpulse.sim.xds.EndpointView;
import io.meshpulse.sim.xds.XdsState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the live per-endpoint table from the recorder and the proxies' accepted xDS state. */
final class LiveView {
  private LiveView() {}

  static List<EndpointSnapshot> snapshot(
      Scenario scenario,
      FaultTimeline timeline,
      Recorder recorder,
      List<SimulatedProxy> proxies,
      long nowEpochMs) {
    long offset = nowEpochMs - recorder.startEpochMs();
    Map<String, List<EndpointView>> views = new HashMap<>();
    for (SimulatedProxy p : proxies) {
      XdsState state = p.xdsState();
      Map<String, EndpointView> seen = new HashMap<>();
      for (String cluster : state.clusters().keySet()) {
        for (EndpointView v :
            state.assignmentFor(cluster).map(Assignment::endpoints).orElse(List.of())) {
          // an endpoint in several clusters (subset and whole service): the less healthy view wins
          seen.merge(v.hostPort(), v, (a, b) -> a.healthy() ? b : a);
        }
      }
      seen.forEach((h, v) -> views.computeIfAbsent(h, k -> new ArrayList<>()).add(v));
    }
    List<EndpointSnapshot> out = new ArrayList<>();
    for (ServiceSpec s : scenario.services()) {
      for (SubsetSpec sub : s.subsets()) {
        for (EndpointSpec e : sub.endpoints()) {
          double[] last =
              recorder.endpoint(e.hostPort(), s.name(), sub.name()).lastSecond(nowEpochMs);
          List<EndpointView> v = views.getOrDefault(e.hostPort(), List.of());
          Map<String, Integer> counts = new TreeMap<>();
          v.forEach(x -> counts.merge(x.status().name(), 1, Integer::sum));
          String status =
              counts.entrySet().stream()
                  .max(Map.Entry.comparingByValue())
                  .map(Map.Entry::getKey)
                  .orElse("NONE");
          out.add(
              new EndpointSnapshot(
                  s.name(),
                  sub.name(),
                  e.hostPort(),
                  last[0],
                  last[1],
                  last[2],
                  !timeline.activeAt(e.hostPort(), offset).isEmpty(),
                  v.stream().mapToInt(EndpointView::weight).min().orElse(0),
                  v.stream().mapToInt(EndpointView::weight).max().orElse(0),
                  status,
                  counts));
        }
      }
    }
    return out;
  }
}
