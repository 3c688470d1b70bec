package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Peer comparison within one cluster and one window: each endpoint against the other endpoints of
 * its subset, then a service record per subset and one for the whole cluster.
 */
public final class ClusterScorer {
  private final HealthScorer scorer;

  public ClusterScorer(HealthScorer scorer) {
    this.scorer = scorer;
  }

  /** Scores every endpoint of one cluster for one window; {@code endpoints} share the cluster. */
  public ClusterHealth score(String cluster, List<EndpointStats> endpoints, long emittedMillis) {
    Map<String, List<EndpointStats>> bySubset = new TreeMap<>();
    for (EndpointStats s : endpoints) {
      bySubset.computeIfAbsent(s.id().subset(), k -> new ArrayList<>()).add(s);
    }
    List<EndpointHealth> verdicts = new ArrayList<>(endpoints.size());
    List<ServiceHealth> services = new ArrayList<>();
    List<EndpointStats> ordered = new ArrayList<>(endpoints.size());
    List<String> keys = new ArrayList<>(endpoints.size());
    for (Map.Entry<String, List<EndpointStats>> group : bySubset.entrySet()) {
      List<EndpointStats> members = byKey(group.getValue(), keys);
      List<EndpointHealth> subsetVerdicts = scoreGroup(members, emittedMillis);
      verdicts.addAll(subsetVerdicts);
      ordered.addAll(members);
      if (!group.getKey().isEmpty()) {
        services.add(
            scorer.scoreService(cluster, group.getKey(), members, subsetVerdicts, emittedMillis));
      }
    }
    // Within one subset each key is there once: only several subsets can share one.
    List<Integer> kept = bySubset.size() == 1 ? null : oneVerdictPerKey(verdicts, keys, ordered);
    if (kept == null) {
      services.add(0, scorer.scoreService(cluster, "", ordered, verdicts, emittedMillis));
      return new ClusterHealth(List.copyOf(verdicts), List.copyOf(keys), List.copyOf(services));
    }
    List<EndpointHealth> keptVerdicts = new ArrayList<>(kept.size());
    List<String> keptKeys = new ArrayList<>(kept.size());
    for (int i : kept) {
      keptVerdicts.add(verdicts.get(i));
      keptKeys.add(keys.get(i));
    }
    // The whole cluster's record sums every subset's traffic but counts each endpoint once.
    services.add(
        0, scorer.scoreService(cluster, "", ordered, verdicts, keptVerdicts, emittedMillis));
    return new ClusterHealth(
        List.copyOf(keptVerdicts), List.copyOf(keptKeys), List.copyOf(services));
  }

  /**
   * One endpoint record per key: an endpoint that took traffic through more than one of the
   * cluster's subsets (a route to the whole service, {@code outbound|port||svc}, beside one to its
   * subset) has a verdict in each, under one record key, and the compacted topic would keep
   * whichever came last. The verdict kept is the worst (UNHEALTHY, DEGRADED, HEALTHY, then
   * UNKNOWN), since each is judged with enough evidence to act on; between equal states, the one
   * judged on more of its requests, a named subset's on a tie (the later group: the whole service's
   * sorts first).
   *
   * @return the indexes kept, in their order
   */
  private static List<Integer> oneVerdictPerKey(
      List<EndpointHealth> verdicts, List<String> keys, List<EndpointStats> ordered) {
    Map<String, Integer> chosen = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      Integer before = chosen.get(keys.get(i));
      if (before == null) {
        chosen.put(keys.get(i), i);
        continue;
      }
      int worse = Integer.compare(severity(verdicts.get(i)), severity(verdicts.get(before)));
      if (worse > 0
          || (worse == 0
              && ordered.get(i).counts().requests() >= ordered.get(before).counts().requests())) {
        chosen.put(keys.get(i), i);
      }
    }
    List<Integer> kept = new ArrayList<>(chosen.size());
    for (int i = 0; i < keys.size(); i++) {
      if (chosen.get(keys.get(i)) == i) {
        kept.add(i);
      }
    }
    return kept;
  }

  private static int severity(EndpointHealth verdict) {
    return switch (verdict.getState()) {
      case HEALTH_STATE_UNHEALTHY -> 3;
      case HEALTH_STATE_DEGRADED -> 2;
      case HEALTH_STATE_HEALTHY -> 1;
      default -> 0;
    };
  }

  /**
   * The endpoints in the order of their record keys, each key built once and added to {@code keys}
   * in that order.
   */
  private static List<EndpointStats> byKey(List<EndpointStats> endpoints, List<String> keys) {
    String[] built = new String[endpoints.size()];
    Integer[] order = new Integer[endpoints.size()];
    for (int i = 0; i < built.length; i++) {
      built[i] = endpoints.get(i).id().key();
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(i -> built[i]));
    List<EndpointStats> sorted = new ArrayList<>(built.length);
    for (Integer i : order) {
      sorted.add(endpoints.get(i));
      keys.add(built[i]);
    }
    return sorted;
  }

  private List<EndpointHealth> scoreGroup(List<EndpointStats> members, long emittedMillis) {
    ErrorCounts total = new ErrorCounts(0, 0, 0, 0, 0);
    long recentRequests = 0;
    long recentErrors = 0;
    long spanRequests = 0;
    long spanErrors = 0;
    for (EndpointStats s : members) {
      total = total.plus(s.counts());
      recentRequests += s.recentRequests();
      recentErrors += s.recentErrors();
      spanRequests += s.recent().spanRequests();
      spanErrors += s.recent().spanErrors();
    }
    long minLatencyRequests = scorer.thresholds().minLatencyRequests();
    double[] p99s =
        members.stream()
            .filter(s -> s.requests() >= minLatencyRequests && s.hasLatency())
            .mapToDouble(EndpointStats::p99Millis)
            .sorted()
            .toArray();
    long minRecent = scorer.thresholds().minRecentLatencyRequests();
    List<EndpointStats> recentTimed =
        members.stream().filter(s -> s.recent().latencyCount() >= minRecent).toList();
    double[] recentP50s =
        recentTimed.stream().mapToDouble(s -> s.recent().p50Millis()).sorted().toArray();
    double[] recentP90s =
        recentTimed.stream().mapToDouble(s -> s.recent().p90Millis()).sorted().toArray();
    // A last slide is judged only against other judged last slides: without two, skip the counts.
    SlowCounts slow =
        recentTimed.size() < 2 ? SlowCounts.NONE : SlowCounts.of(members, minLatencyRequests);
    List<EndpointHealth> out = new ArrayList<>(members.size());
    for (int i = 0; i < members.size(); i++) {
      EndpointStats self = members.get(i);
      ErrorCounts c = self.counts();
      ErrorCounts others =
          new ErrorCounts(
              total.requests() - c.requests(),
              total.http5xx() - c.http5xx(),
              total.grpcErrors() - c.grpcErrors(),
              total.connectionFailures() - c.connectionFailures(),
              total.timeouts() - c.timeouts());
      boolean selfInMedian = self.requests() >= minLatencyRequests && self.hasLatency();
      boolean selfInRecent = self.recent().latencyCount() >= minRecent;
      PeerBaseline baseline =
          new PeerBaseline(
              members.size() - 1,
              others,
              recentRequests - self.recentRequests(),
              recentErrors - self.recentErrors(),
              spanRequests - self.recent().spanRequests(),
              spanErrors - self.recent().spanErrors(),
              medianWithout(p99s, selfInMedian ? self.p99Millis() : Double.NaN),
              medianWithout(recentP50s, selfInRecent ? self.recent().p50Millis() : Double.NaN),
              medianWithout(recentP90s, selfInRecent ? self.recent().p90Millis() : Double.NaN),
              slow.referenceMillis,
              slow.peerShare(i),
              new PeerLatencies(members, i, minLatencyRequests));
      out.add(scorer.scoreEndpoint(self, baseline, emittedMillis));
    }
    return out;
  }

  /**
   * Requests slower than one reference latency per subset (the median of its endpoints' window
   * p90s), counted per endpoint over the window and over its last slide, so that each endpoint's
   * peers' share of slow requests is the subset's total minus its own.
   */
  private static final class SlowCounts {
    static final SlowCounts NONE = new SlowCounts(0.0, 0);

    final double referenceMillis;
    final long[] windowSlow;
    final long[] windowTimed;
    final long[] recentSlow;
    final long[] recentTimed;
    long windowSlowTotal;
    long windowTimedTotal;
    long recentSlowTotal;
    long recentTimedTotal;

    private SlowCounts(double referenceMillis, int members) {
      this.referenceMillis = referenceMillis;
      windowSlow = new long[members];
      windowTimed = new long[members];
      recentSlow = new long[members];
      recentTimed = new long[members];
    }

    static SlowCounts of(List<EndpointStats> members, long minLatencyRequests) {
      double[] p90s =
          members.stream()
              .filter(s -> s.requests() >= minLatencyRequests && s.hasLatency())
              .mapToDouble(EndpointStats::p90Millis)
              .sorted()
              .toArray();
      OptionalDouble reference = medianWithout(p90s, Double.NaN);
      SlowCounts counts = new SlowCounts(reference.orElse(0.0), members.size());
      if (counts.referenceMillis <= 0) {
        return counts;
      }
      for (int i = 0; i < members.size(); i++) {
        EndpointStats s = members.get(i);
        counts.windowSlow[i] = s.latency().countAbove(counts.referenceMillis);
        counts.windowTimed[i] = s.latency().count();
        counts.recentSlow[i] = s.recent().latencyMillis().countAbove(counts.referenceMillis);
        counts.recentTimed[i] = s.recent().latencyCount();
        counts.windowSlowTotal += counts.windowSlow[i];
        counts.windowTimedTotal += counts.windowTimed[i];
        counts.recentSlowTotal += counts.recentSlow[i];
        counts.recentTimedTotal += counts.recentTimed[i];
      }
      return counts;
    }

    /**
     * The share of the other members' requests slower than the reference: the larger of their
     * window's share and their last slide's (a slowdown of the whole subset raises the latter), 0
     * without a reference or peer latencies.
     */
    double peerShare(int self) {
      if (referenceMillis <= 0) {
        return 0.0;
      }
      long windowTimedPeers = windowTimedTotal - windowTimed[self];
      long recentTimedPeers = recentTimedTotal - recentTimed[self];
      double window =
          windowTimedPeers == 0
              ? 0.0
              : (double) (windowSlowTotal - windowSlow[self]) / windowTimedPeers;
      double recent =
          recentTimedPeers == 0
              ? 0.0
              : (double) (recentSlowTotal - recentSlow[self]) / recentTimedPeers;
      return Math.max(window, recent);
    }
  }

  /** The median of sorted {@code values} without one occurrence of {@code excluded} (NaN: none). */
  static OptionalDouble medianWithout(double[] values, double excluded) {
    int skip = Double.isNaN(excluded) ? -1 : Arrays.binarySearch(values, excluded);
    int m = skip >= 0 ? values.length - 1 : values.length;
    if (m == 0) {
      return OptionalDouble.empty();
    }
    double lower = valueAtRank(values, (m - 1) / 2, skip);
    double upper = valueAtRank(values, m / 2, skip);
    return OptionalDouble.of((lower + upper) / 2);
  }

  private static double valueAtRank(double[] values, int rank, int skip) {
    return values[skip >= 0 && rank >= skip ? rank + 1 : rank];
  }
}
