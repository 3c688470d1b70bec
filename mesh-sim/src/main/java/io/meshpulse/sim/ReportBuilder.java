package io.meshpulse.sim;

import io.meshpulse.sim.model.FaultTimeline;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.xds.ClusterName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Derives a {@link SimulationReport} from what the {@link Recorder} saw (definitions in
 * docs/simulator.md).
 */
final class ReportBuilder {
  /** Totals the simulation collects from its proxies' senders. */
  record Totals(
      long recordsSent,
      long recordsDropped,
      long recordsUnsent,
      long alsMessages,
      long alsStreamFailures,
      long metricsMessages,
      long xdsAcks,
      long xdsNacks,
      long xdsReconnects) {}

  private final Scenario scenario;
  private final long seed;
  private final FaultTimeline timeline;
  private final Recorder recorder;
  private final List<SimulatedProxy> proxies;
  private final boolean xds;
  private final long shareWindowMs;

  ReportBuilder(
      Scenario scenario,
      long seed,
      FaultTimeline timeline,
      Recorder recorder,
      List<SimulatedProxy> proxies,
      boolean xds,
      long shareWindowMs) {
    this.scenario = scenario;
    this.seed = seed;
    this.timeline = timeline;
    this.recorder = recorder;
    this.proxies = proxies;
    this.xds = xds;
    this.shareWindowMs = shareWindowMs;
  }

  SimulationReport build(long endEpochMs, Totals t) {
    long start = recorder.startEpochMs();
    long runMs = endEpochMs - start;
    List<EndpointChange> changes = recorder.endpointChanges();
    List<RouteChange> routeChanges = recorder.routeChanges();

    List<SimulationReport.Fault> faults = new ArrayList<>();
    for (FaultTimeline.Entry e : timeline.entries()) {
      faults.add(
          new SimulationReport.Fault(
              e.spec().kind().yamlName(),
              e.spec().service(),
              e.spec().subset(),
              new ArrayList<>(new TreeSet<>(e.endpoints())),
              start + e.startMs(),
              e.endMs() == Long.MAX_VALUE ? null : start + e.endMs()));
    }
    FaultTimeline.Entry first =
        timeline.entries().stream()
            .min(Comparator.comparingLong(FaultTimeline.Entry::startMs))
            .orElse(null);
    boolean started = first != null && first.startMs() < runMs;

    // reaction: per proxy calling the faulty service, the first change after onset that takes
    // traffic away from a faulty endpoint (or from the subset that holds one)
    Double firstReaction = null;
    Double allReaction = null;
    Double allRemoval = null;
    int reacted = 0;
    int calling = 0;
    Long onset = null;
    String faultService = first == null ? null : first.spec().service();
    if (started) {
      onset = start + first.startMs();
      ServiceSpec svc = scenario.service(faultService).orElseThrow();
      Set<String> faultySubsets = new HashSet<>();
      for (String ep : first.endpoints()) {
        svc.subsetOf(ep).ifPresent(s -> faultySubsets.add(s.name()));
      }
      Map<String, Long> reactionByProxy = new HashMap<>();
      // removal: the first change that stops the traffic altogether (the endpoint ejected,
      // drained or removed, or its subsets' route share at 0)
      Map<String, Long> removalByProxy = new HashMap<>();
      for (EndpointChange c : changes) {
        if (c.epochMs() >= onset && first.endpoints().contains(c.endpoint())) {
          if (c.reducesTraffic()) {
            reactionByProxy.merge(c.proxy(), c.epochMs(), Math::min);
          }
          if (c.stopsTraffic()) {
            removalByProxy.merge(c.proxy(), c.epochMs(), Math::min);
          }
        }
      }
      for (RouteChange r : routeChanges) {
        if (r.epochMs() >= onset && r.service().equals(faultService)) {
          double shareBefore = share(r.before(), faultySubsets);
          double shareAfter = share(r.after(), faultySubsets);
          if (shareAfter < shareBefore) {
            reactionByProxy.merge(r.proxy(), r.epochMs(), Math::min);
          }
          if (shareBefore > 0 && shareAfter == 0) {
            removalByProxy.merge(r.proxy(), r.epochMs(), Math::min);
          }
        }
      }
      long lastRemoval = Long.MIN_VALUE;
      int removed = 0;
      long latest = Long.MIN_VALUE;
      long earliest = Long.MAX_VALUE;
      for (SimulatedProxy p : proxies) {
        if (!p.spec().calls().contains(faultService)) {
          continue;
        }
        calling++;
        Long r = reactionByProxy.get(p.id());
        if (r != null) {
          reacted++;
          latest = Math.max(latest, r);
          earliest = Math.min(earliest, r);
        }
        Long removal = removalByProxy.get(p.id());
        if (removal != null) {
          removed++;
          lastRemoval = Math.max(lastRemoval, removal);
        }
      }
      if (reacted > 0) {
        firstReaction = (earliest - onset) / 1000.0;
      }
      if (reacted == calling && calling > 0) {
        allReaction = (latest - onset) / 1000.0;
      }
      if (removed == calling && calling > 0) {
        allRemoval = (lastRemoval - onset) / 1000.0;
      }
    }

    // false actions: changes to endpoints not (yet) under a fault, distinct per (cluster, endpoint,
    // version); route changes of services without a fault or before the onset, distinct per
    // (service, version)
    Set<String> falseKeys = new HashSet<>();
    Set<String> falseEndpoints = new TreeSet<>();
    for (EndpointChange c : changes) {
      if (!timeline.faultedBy(c.endpoint(), c.epochMs() - start)) {
        falseKeys.add(c.cluster() + "/" + c.endpoint() + "@" + c.version());
        falseEndpoints.add(c.endpoint());
      }
    }
    Set<String> falseRouteKeys = new HashSet<>();
    for (RouteChange r : routeChanges) {
      boolean serviceFaulted =
          timeline.entries().stream()
              .anyMatch(
                  e ->
                      e.spec().service().equals(r.service()) && r.epochMs() - start >= e.startMs());
      if (!serviceFaulted) {
        falseRouteKeys.add(r.service() + "@" + r.version());
      }
    }

    // faulty traffic share
    Double before = null;
    Double after = null;
    Long afterStart = null;
    Long afterEnd = null;
    if (started) {
      long onsetOffset = first.startMs();
      before = share(faultService, first.endpoints(), onsetOffset - shareWindowMs, onsetOffset);
      long faultEnd = Math.min(first.endMs(), runMs);
      long from;
      long to;
      if (allReaction != null) {
        from = onsetOffset + Math.round(allReaction * 1000);
        to = Math.min(from + shareWindowMs, faultEnd);
      } else {
        to = faultEnd;
        from = Math.max(onsetOffset, to - shareWindowMs);
      }
      if (to > from) {
        after = share(faultService, first.endpoints(), from, to);
        afterStart = start + from;
        afterEnd = start + to;
      }
    }

    Set<String> faulty = timeline.faultyEndpoints();
    int seconds = (int) Math.max(1, (runMs + 999) / 1000);
    List<SimulationReport.EndpointSeries> series = new ArrayList<>();
    long requests = 0;
    long errors = 0;
    List<EndpointStats> stats = new ArrayList<>(recorder.endpoints());
    stats.sort(
        Comparator.comparing((EndpointStats s) -> s.service)
            .thenComparing(s -> s.subset)
            .thenComparing(s -> s.hostPort));
    for (EndpointStats s : stats) {
      long[] rq = s.perSecond(false, seconds);
      long[] er = s.perSecond(true, seconds);
      long rqSum = java.util.Arrays.stream(rq).sum();
      long erSum = java.util.Arrays.stream(er).sum();
      requests += rqSum;
      errors += erSum;
      series.add(
          new SimulationReport.EndpointSeries(
              s.service, s.subset, s.hostPort, faulty.contains(s.hostPort), rqSum, erSum, rq, er));
    }

    return new SimulationReport(
        scenario.name(),
        seed,
        start,
        endEpochMs,
        runMs / 1000.0,
        proxies.size(),
        xds,
        requests,
        errors,
        t.recordsSent(),
        t.recordsDropped(),
        t.recordsUnsent(),
        t.alsMessages(),
        t.alsStreamFailures(),
        t.metricsMessages(),
        t.xdsAcks(),
        t.xdsNacks(),
        t.xdsReconnects(),
        faults,
        started ? faultService : null,
        new ArrayList<>(new TreeSet<>(started ? first.endpoints() : Set.of())),
        onset,
        firstReaction,
        allReaction,
        allRemoval,
        reacted,
        calling,
        falseKeys.size() + falseRouteKeys.size(),
        falseKeys.size(),
        falseRouteKeys.size(),
        new ArrayList<>(falseEndpoints),
        shareWindowMs / 1000.0,
        before,
        after,
        afterStart,
        afterEnd,
        recorder.noHealthyUpstreamCounts(),
        changes,
        routeChanges,
        series);
  }

  /** Share of the route weight on clusters whose subset is one of {@code subsets}. */
  private static double share(Map<String, Integer> weights, Set<String> subsets) {
    long total = 0;
    long hit = 0;
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      total += e.getValue();
      String subset = ClusterName.parse(e.getKey()).map(ClusterName::subset).orElse("");
      if (subsets.contains(subset)) {
        hit += e.getValue();
      }
    }
    return total == 0 ? 0 : (double) hit / total;
  }

  /**
   * Requests to {@code faultyEndpoints} / requests to all endpoints of the service, in [from, to).
   */
  private @Nullable Double share(String service, Set<String> faultyEndpoints, long from, long to) {
    if (to <= from || to <= 0) {
      return null;
    }
    long total = 0;
    long hit = 0;
    for (EndpointStats s : recorder.endpoints()) {
      if (!s.service.equals(service)) {
        continue;
      }
      long n = s.sum(false, Math.max(0, from), to);
      total += n;
      if (faultyEndpoints.contains(s.hostPort)) {
        hit += n;
      }
    }
    return total == 0 ? null : (double) hit / total;
  }
}
