package io.meshpulse.sim.model;

import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.FaultSpec;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ServiceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The scenario's faults resolved to endpoints and to offsets (ms) from the start of the run. */
public final class FaultTimeline {
  /** One fault with the endpoints ({@code address:port}) it hits. */
  public record Entry(FaultSpec spec, long startMs, long endMs, Set<String> endpoints) {
    boolean activeAt(long offsetMs) {
      return offsetMs >= startMs && offsetMs < endMs;
    }

    double intensityAt(long offsetMs) {
      long rampMs = spec.ramp().toMillis();
      return switch (spec.kind()) {
        case OVERLOAD -> rampMs <= 0 ? 1.0 : Math.min(1.0, (offsetMs - startMs + 1.0) / rampMs);
        default -> 1.0;
      };
    }
  }

  private final List<Entry> entries;

  public FaultTimeline(Scenario scenario) {
    List<Entry> out = new ArrayList<>();
    for (FaultSpec f : scenario.faults()) {
      ServiceSpec service = scenario.service(f.service()).orElseThrow();
      Set<String> targets =
          f.endpoint() != null
              ? Set.of(f.endpoint())
              : service.subset(f.subset()).orElseThrow().endpoints().stream()
                  .map(EndpointSpec::hostPort)
                  .collect(Collectors.toUnmodifiableSet());
      long start = f.at().toMillis();
      long end = f.end().map(d -> d.toMillis()).orElse(Long.MAX_VALUE);
      out.add(new Entry(f, start, end, targets));
    }
    this.entries = List.copyOf(out);
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The faults in force on an endpoint at an offset from the start of the run. */
  public List<ActiveFault> activeAt(String hostPort, long offsetMs) {
    List<ActiveFault> out = List.of();
    for (Entry e : entries) {
      if (e.activeAt(offsetMs) && e.endpoints().contains(hostPort)) {
        if (out.isEmpty()) {
          out = new ArrayList<>(2);
        }
        out.add(new ActiveFault(e.spec(), e.intensityAt(offsetMs)));
      }
    }
    return out;
  }

  /** Whether the endpoint is, or has been, under a fault at that offset. */
  public boolean faultedBy(String hostPort, long offsetMs) {
    return entries.stream()
        .anyMatch(e -> e.endpoints().contains(hostPort) && offsetMs >= e.startMs());
  }

  /** Every endpoint any fault targets. */
  public Set<String> faultyEndpoints() {
    return entries.stream()
        .flatMap(e -> e.endpoints().stream())
        .collect(Collectors.toUnmodifiableSet());
  }
}
