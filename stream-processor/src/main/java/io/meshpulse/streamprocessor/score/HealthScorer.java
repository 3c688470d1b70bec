package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.model.v1.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The health-score formula, in one place (docs/health-score.md explains it with worked examples).
 *
 * <p>Endpoint: {@code score = errorScore × latencyScore}. The error part compares the endpoint's
 * errors (over the window, its last slide and its recent span, 3 s) with its peers' pooled rate:
 * once the evidence (a log-likelihood ratio) is strong enough, a cautious Wilson lower bound of the
 * excess counts; the latency part compares its p99 with the peers' median p99, and, once its last
 * slide holds evidently more requests slower than the peers' p90 than theirs do, that slide's
 * median and p90 with the peers' medians of theirs, on a log scale. Below {@code minRequests} the
 * state is UNKNOWN and the score neutral (1).
 *
 * <p>Service: {@code score = errorScore × latencyScore × outlierScore} against absolute limits (the
 * error part over the window, the last slide and the recent span, so a subset that fails as a whole
 * shows in the first slide of the fault), so a cluster that degrades as a whole is one service
 * event while each endpoint, being no worse than its peers, is not an outlier.
 */
public final class HealthScorer {
  /**
   * The lowest share of slow requests an endpoint's last slide is compared with, so that peers
   * whose latencies all fall into one bin do not make a few requests in the next bin decisive.
   */
  static final double SLOW_SHARE_FLOOR = 0.05;

  /** The share of a healthy endpoint's requests slower than its peers' median p99. */
  static final double P99_SHARE = 0.01;

  private final ScoringThresholds t;

  public HealthScorer(ScoringThresholds thresholds) {
    this.t = thresholds;
  }

  public ScoringThresholds thresholds() {
    return t;
  }

  /** Scores one endpoint of a window against its peers. */
  public EndpointHealth scoreEndpoint(EndpointStats s, PeerBaseline peers, long emittedMillis) {
    ErrorCounts c = s.counts();
    long n = c.requests();
    EndpointHealth.Builder out =
        EndpointHealth.newBuilder()
            .setCluster(s.id().cluster())
            .setSubset(s.id().subset())
            .setEndpoint(s.id().endpoint())
            .setWindow(window(s.windowStartMillis(), s.windowEndMillis()))
            .setRequests(n)
            .setErrors(c.errors())
            .setHttp5Xx(c.http5xx())
            .setGrpcErrors(c.grpcErrors())
            .setConnectionFailures(c.connectionFailures())
            .setTimeouts(c.timeouts())
            .setErrorRate(c.errorRate())
            .setP50Millis(s.p50Millis())
            .setP90Millis(s.p90Millis())
            .setP99Millis(s.p99Millis())
            .setReportingProxies(s.reportingProxies())
            .setPeerErrorRate(peers.errorRate())
            .setPeerMedianP99Millis(peers.medianP99Millis().orElse(0.0))
            .setPeers(peers.peers())
            .setEmittedUnixMillis(emittedMillis);
    double confidence = volumeConfidence(n) * peerConfidence(peers.peers());
    out.setConfidence(confidence);
    if (n < t.minRequests()) {
      return out.setScore(1.0)
          .setState(HealthState.HEALTH_STATE_UNKNOWN)
          .addReasons(fmt("too few requests to judge (n=%d < %d)", n, t.minRequests()))
          .build();
    }
    List<String> reasons = new ArrayList<>();

    // Peers with fewer requests than an endpoint needs to be judged give no rate to test against:
    // the floor alone is the baseline then, as for an endpoint without peers.
    boolean peerRates = peers.window().requests() >= t.minRequests();
    double windowExcess = errorExcess(c.errors(), n, peers.errorRate(), peers, peerRates);
    double recentExcess =
        errorExcess(
            s.recentErrors(), s.recentRequests(), peers.recentErrorRate(), peers, peerRates);
    RecentSlide span = s.recent();
    double spanExcess =
        errorExcess(
            span.spanErrors(), span.spanRequests(), peers.spanErrorRate(), peers, peerRates);
    double errorScore =
        1
            - clamp(
                Math.max(windowExcess, Math.max(recentExcess, spanExcess)) / t.errorExcessAtZero());
    if (errorScore < 1) {
      // What the errors were judged against: the peers' rate, or the floor when they have none.
      String versus = peerRates ? "peers" : "the floor";
      reasons.add(
          fmt(
              "error rate %.1f %% vs %s %.1f %% (n=%d)",
              100 * c.errorRate(),
              versus,
              100 * (peerRates ? peers.errorRate() : t.errorRateFloor()),
              n));
      if (spanExcess > windowExcess && spanExcess > recentExcess) {
        reasons.add(
            fmt(
                "last %s: error rate %.1f %% vs %s %.1f %% (n=%d)",
                span(),
                100.0 * span.spanErrors() / span.spanRequests(),
                versus,
                100 * (peerRates ? peers.spanErrorRate() : t.errorRateFloor()),
                span.spanRequests()));
      }
      if (recentExcess > windowExcess) {
        reasons.add(
            fmt(
                "last slide: error rate %.1f %% vs %s %.1f %% (n=%d)",
                100.0 * s.recentErrors() / s.recentRequests(),
                versus,
                100 * (peerRates ? peers.recentErrorRate() : t.errorRateFloor()),
                s.recentRequests()));
      }
      reasons.add(
          fmt(
              "errors: %d HTTP 5xx, %d gRPC, %d connection failures, %d timeouts",
              c.http5xx(), c.grpcErrors(), c.connectionFailures(), c.timeouts()));
    }

    double latencyPenalty = 0;
    if (n >= t.minLatencyRequests() && s.hasLatency()) {
      latencyPenalty = windowLatencyPenalty(s, peers, reasons);
    }
    latencyPenalty = Math.max(latencyPenalty, recentLatencyPenalty(s.recent(), peers, reasons));
    double latencyScore = 1 - latencyPenalty;

    double score = errorScore * latencyScore;
    if (reasons.isEmpty()) {
      reasons.add(
          peers.peers() == 0
              ? fmt("error rate %.1f %% (n=%d), no peers to compare with", 100 * c.errorRate(), n)
              : healthyReason(
                  100 * c.errorRate(),
                  100 * peers.errorRate(),
                  n,
                  s.p99Millis(),
                  peers.medianP99Millis().orElse(0.0)));
    }
    return out.setScore(score).setState(state(score)).addAllReasons(reasons).build();
  }

  /**
   * Scores a whole cluster (subset empty) or one subset from its endpoints' statistics and the
   * endpoints' own verdicts, {@code verdicts.get(i)} being {@code members.get(i)}'s.
   *
   * <p>The error and latency terms judge the traffic of the endpoints that are not UNHEALTHY on
   * their own: an outlier is the routing policy's to eject, and counts here through the outlier
   * term only. So one endpoint of four refusing every request is one ejection, not also a subset
   * "failing as a whole" whose route weight moves away; a subset whose endpoints fail alike (none
   * an outlier among its peers) is judged on all of its traffic. The record's request, error and
   * latency fields still cover every member.
   */
  public ServiceHealth scoreService(
      String cluster,
      String subset,
      List<EndpointStats> members,
      List<EndpointHealth> verdicts,
      long emittedMillis) {
    return scoreService(cluster, subset, members, verdicts, verdicts, emittedMillis);
  }

  /**
   * As {@link #scoreService(String, String, List, List, long)}, with the endpoint counts and the
   * outlier term taken from {@code endpoints}, one verdict per endpoint: a whole cluster's members
   * hold an endpoint once per subset it took traffic through, and its traffic through each, but it
   * is one endpoint.
   */
  public ServiceHealth scoreService(
      String cluster,
      String subset,
      List<EndpointStats> members,
      List<EndpointHealth> verdicts,
      List<EndpointHealth> endpoints,
      long emittedMillis) {
    if (members.size() != verdicts.size()) {
      throw new IllegalArgumentException(
          "one verdict per member: " + members.size() + " members, " + verdicts.size());
    }
    ErrorCounts c = new ErrorCounts(0, 0, 0, 0, 0);
    ErrorCounts judgedCounts = new ErrorCounts(0, 0, 0, 0, 0);
    List<LatencyHistogram> latencies = new ArrayList<>(members.size());
    List<LatencyHistogram> judgedLatencies = new ArrayList<>(members.size());
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    long recentRequests = 0;
    long recentErrors = 0;
    long spanRequests = 0;
    long spanErrors = 0;
    int outliers = 0;
    for (int i = 0; i < members.size(); i++) {
      EndpointStats s = members.get(i);
      c = c.plus(s.counts());
      latencies.add(s.latency());
      start = Math.min(start, s.windowStartMillis());
      end = Math.max(end, s.windowEndMillis());
      if (verdicts.get(i).getState() == HealthState.HEALTH_STATE_UNHEALTHY) {
        outliers++;
        continue;
      }
      judgedCounts = judgedCounts.plus(s.counts());
      judgedLatencies.add(s.latency());
      recentRequests += s.recentRequests();
      recentErrors += s.recentErrors();
      spanRequests += s.recent().spanRequests();
      spanErrors += s.recent().spanErrors();
    }
    int healthy = 0;
    int degraded = 0;
    int unhealthy = 0;
    int unknown = 0;
    for (EndpointHealth v : endpoints) {
      switch (v.getState()) {
        case HEALTH_STATE_HEALTHY -> healthy++;
        case HEALTH_STATE_DEGRADED -> degraded++;
        case HEALTH_STATE_UNHEALTHY -> unhealthy++;
        default -> unknown++;
      }
    }
    long n = c.requests();
    LatencyHistogram latency = LatencyHistogram.sum(latencies);
    ServiceHealth.Builder out =
        ServiceHealth.newBuilder()
            .setCluster(cluster)
            .setSubset(subset)
            .setWindow(members.isEmpty() ? Window.getDefaultInstance() : window(start, end))
            .setRequests(n)
            .setErrors(c.errors())
            .setErrorRate(c.errorRate())
            .setP50Millis(latency.p50())
            .setP90Millis(latency.p90())
            .setP99Millis(latency.p99())
            .setEndpoints(endpoints.size())
            .setEndpointsHealthy(healthy)
            .setEndpointsDegraded(degraded)
            .setEndpointsUnhealthy(unhealthy)
            .setEndpointsUnknown(unknown)
            .setEmittedUnixMillis(emittedMillis);
    if (n < t.minRequests()) {
      return out.setScore(1.0)
          .setState(HealthState.HEALTH_STATE_UNKNOWN)
          .addReasons(fmt("too few requests to judge (n=%d < %d)", n, t.minRequests()))
          .build();
    }
    List<String> reasons = new ArrayList<>();
    long judgedN = judgedCounts.requests();
    LatencyHistogram judgedLatency =
        outliers == 0 ? latency : LatencyHistogram.sum(judgedLatencies);
    double p99 = judgedLatency.p99();
    String without = outliers == 0 ? "" : fmt(", without the %d UNHEALTHY", unhealthy);
    double windowExcess = serviceExcess(judgedCounts.errors(), judgedN);
    double recentExcess = serviceExcess(recentErrors, recentRequests);
    double spanExcess = serviceExcess(spanErrors, spanRequests);
    double errorScore =
        1
            - clamp(
                Math.max(windowExcess, Math.max(recentExcess, spanExcess)) / t.errorExcessAtZero());
    if (errorScore < 1) {
      reasons.add(
          fmt(
              "error rate %.1f %% across %d endpoints (n=%d), tolerance %.1f %%%s",
              100 * judgedCounts.errorRate(),
              endpoints.size() - unhealthy,
              judgedN,
              100 * t.serviceErrorRateTolerance(),
              without));
      if (spanExcess > windowExcess && spanExcess > recentExcess) {
        reasons.add(
            fmt(
                "last %s: error rate %.1f %% (n=%d)",
                span(), 100.0 * spanErrors / spanRequests, spanRequests));
      }
      if (recentExcess > windowExcess && recentExcess >= spanExcess) {
        reasons.add(
            fmt(
                "last slide: error rate %.1f %% (n=%d)",
                100.0 * recentErrors / recentRequests, recentRequests));
      }
    }
    double latencyScore = 1;
    if (judgedN >= t.minLatencyRequests() && p99 > t.serviceP99ThresholdMillis()) {
      latencyScore =
          1 - latencyPenalty(p99 / t.serviceP99ThresholdMillis() * t.latencyRatioTolerance());
      reasons.add(
          fmt(
              "p99 %.0f ms above the service limit of %.0f ms%s",
              p99, t.serviceP99ThresholdMillis(), without));
    }
    int judged = healthy + degraded + unhealthy;
    double outlierScore = judged == 0 ? 1 : 1 - (unhealthy + 0.5 * degraded) / judged;
    if (outlierScore < 1) {
      reasons.add(
          fmt("%d of %d judged endpoints UNHEALTHY, %d DEGRADED", unhealthy, judged, degraded));
    }
    double score = errorScore * latencyScore * outlierScore;
    if (reasons.isEmpty()) {
      reasons.add(
          fmt(
              "error rate %.1f %%, p99 %.0f ms across %d endpoints (n=%d)",
              100 * c.errorRate(), p99, endpoints.size(), n));
    }
    return out.setScore(score).setState(state(score)).addAllReasons(reasons).build();
  }

  /**
   * The latency penalty of the window's p99 against the peers' median p99: 0 unless the evidence
   * that more of its requests are slower than that median than the {@link #P99_SHARE} a peer shows
   * reaches {@code latencyEvidence} nats, and so does the evidence that they are more than the
   * peers' own requests slower than it ({@link Evidence#twoSampleNats}). With a hundred requests a
   * window's p99 is about its slowest request, which alone would make a healthy endpoint of ten
   * DEGRADED in a few percent of such windows (a new endpoint's, and every endpoint's after a
   * restart); and a peer's p99 from a hundred-odd requests is as noisy, which the first test alone
   * would take for the truth when one peer is all there is (3 of 8,000 healthy endpoints of
   * two-endpoint subsets were judged not HEALTHY by it, at 140 requests a window). A regression
   * that has slowed a tenth of a window of 1,200 requests by ×3 (43 requests above the peers' p99)
   * has 24 nats against the 1 % and 21 against nine peers' 108 of 10,800.
   */
  private double windowLatencyPenalty(EndpointStats s, PeerBaseline peers, List<String> reasons) {
    OptionalDouble peersMedian = peers.medianP99Millis();
    double penalty = ratioPenalty(s.p99Millis(), peersMedian);
    if (penalty == 0) {
      return 0.0;
    }
    double median = peersMedian.getAsDouble();
    long timed = s.latency().count();
    long slow = s.latency().countAbove(median);
    if (Evidence.nats(slow, timed, P99_SHARE) < t.latencyEvidence()) {
      return 0.0;
    }
    PeerLatencies.Tail tail = peers.p99Peers().above(median);
    if (Evidence.twoSampleNats(slow, timed, tail.slow(), tail.timed()) < t.latencyEvidence()) {
      return 0.0;
    }
    reasons.add(
        fmt(
            "p99 %.0f ms = %.1f× peers' median (%.0f ms)",
            s.p99Millis(), s.p99Millis() / median, median));
    reasons.add(
        fmt(
            "%d of %d requests slower than the peers' median p99 (peers %d of %d)",
            slow, timed, tail.slow(), tail.timed()));
    return penalty;
  }

  /**
   * The latency penalty of the last slide: 0 unless the evidence that more of its requests are
   * slower than the peers' reference than the peers' share ({@link PeerBaseline#slowShare()},
   * floored at {@link #SLOW_SHARE_FLOOR}) reaches {@code latencyEvidence} nats; then the larger
   * penalty of its median and its p90 against the medians of the peers' last-slide medians and
   * p90s. The evidence decides whether the slide is slow (a few slow requests, or a slide whose
   * median happens to be high, never are), the quantiles how slow; the p90 sees a regression that
   * began late in the slide, when fewer than half of its requests are slow.
   */
  private double recentLatencyPenalty(
      RecentSlide recent, PeerBaseline peers, List<String> reasons) {
    long timed = recent.latencyCount();
    if (timed < t.minRecentLatencyRequests() || peers.slowMillis() <= 0) {
      return 0.0;
    }
    double p50Penalty = ratioPenalty(recent.p50Millis(), peers.medianRecentP50Millis());
    double p90Penalty = ratioPenalty(recent.p90Millis(), peers.medianRecentP90Millis());
    if (p50Penalty == 0 && p90Penalty == 0) {
      return 0.0;
    }
    long slow = recent.latencyMillis().countAbove(peers.slowMillis());
    double share = Math.max(peers.slowShare(), SLOW_SHARE_FLOOR);
    if (share >= 1 || Evidence.nats(slow, timed, share) < t.latencyEvidence()) {
      return 0.0;
    }
    reasons.add(
        fmt(
            "last slide: %d of %d requests slower than the peers' p90 of %.0f ms (peers %.0f %%)",
            slow, timed, peers.slowMillis(), 100 * peers.slowShare()));
    boolean byMedian = p50Penalty >= p90Penalty;
    double value = byMedian ? recent.p50Millis() : recent.p90Millis();
    double reference =
        (byMedian ? peers.medianRecentP50Millis() : peers.medianRecentP90Millis()).orElseThrow();
    reasons.add(
        fmt(
            "last slide: %s %.0f ms = %.1f× peers' median (%.0f ms, n=%d)",
            byMedian ? "p50" : "p90", value, value / reference, reference, timed));
    return Math.max(p50Penalty, p90Penalty);
  }

  /**
   * The latency penalty of {@code value} against the peers' {@code median} of the same measure: 0
   * up to {@code latencyRatioTolerance} times the median or within {@code minLatencyExcessMillis}
   * of it, and without a median.
   */
  private double ratioPenalty(double value, OptionalDouble median) {
    if (median.isEmpty() || median.getAsDouble() <= 0) {
      return 0.0;
    }
    double ratio = value / median.getAsDouble();
    return ratio > t.latencyRatioTolerance()
            && value - median.getAsDouble() >= t.minLatencyExcessMillis()
        ? latencyPenalty(ratio)
        : 0.0;
  }

  /**
   * How far a service's {@code errors} of {@code n} over one span are above {@code
   * service-error-rate-tolerance}: 0 until the evidence against the tolerance (at least {@code
   * errorRateFloor}) reaches {@code errorEvidence} nats, as for an endpoint, then the Wilson lower
   * bound at {@code wilson-z} minus the tolerance. Wilson's bound alone trusts tiny spans: one
   * failed request in a slide of one is 10 % at z = 3, which would make a quiet canary subset
   * UNHEALTHY.
   */
  private double serviceExcess(long errors, long n) {
    double baseline = Math.max(t.serviceErrorRateTolerance(), t.errorRateFloor());
    if (n == 0 || baseline >= 1 || Evidence.nats(errors, n, baseline) < t.errorEvidence()) {
      return 0.0;
    }
    return Math.max(0, Wilson.lowerBound(errors, n, t.z()) - t.serviceErrorRateTolerance());
  }

  /**
   * How far {@code errors} of {@code n} are above the peers' rate: 0 until the evidence reaches
   * {@code errorEvidence} nats, then the Wilson lower bound at {@code errorEstimateZ} minus the
   * baseline ({@code max(peer rate, errorRateFloor)}). Evidence decides whether the errors count,
   * the cautious estimate how much: a 4 % fault at 120 requests a second counts after a few
   * seconds, one error in 30 requests never does. Without {@code peerRates} (peers with too few
   * requests to give a rate) the floor is the baseline.
   *
   * <p>The evidence is the smaller of the one-sample test against the baseline and, with {@code
   * peerRates}, the two-sample test against the peers' window counts (the most they have): their
   * rate is itself an estimate, and taken as exact it made a healthy endpoint of a pair UNHEALTHY
   * several times a day whenever its peer's errors came in below their average (at 1 % errors and
   * 20 requests a second each). With many peers the two tests agree. The one-sample test keeps the
   * short spans' higher baseline: a fault of the whole subset is no endpoint's.
   */
  private double errorExcess(
      long errors, long n, double peerRate, PeerBaseline peers, boolean peerRates) {
    double baseline = peerRates ? Math.max(peerRate, t.errorRateFloor()) : t.errorRateFloor();
    if (baseline >= 1) {
      return 0.0;
    }
    if (Evidence.nats(errors, n, baseline) < t.errorEvidence()) {
      return 0.0;
    }
    // The evidence is the smaller of the two tests: the two-sample one is needed only when the
    // one-sample one counts, which a healthy endpoint's errors (most evaluations) never do.
    ErrorCounts w = peers.window();
    if (peerRates
        && Evidence.twoSampleNats(errors, n, w.errors(), w.requests()) < t.errorEvidence()) {
      return 0.0;
    }
    return Math.max(0.0, Wilson.lowerBound(errors, n, t.errorEstimateZ()) - baseline);
  }

  /** The recent span as reasons name it: {@code 3 s}, {@code 1500 ms}. */
  private String span() {
    long millis = t.recentSpanMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  HealthState state(double score) {
    if (score < t.unhealthyBelow()) {
      return HealthState.HEALTH_STATE_UNHEALTHY;
    }
    if (score < t.degradedBelow()) {
      return HealthState.HEALTH_STATE_DEGRADED;
    }
    return HealthState.HEALTH_STATE_HEALTHY;
  }

  /** 0 at the tolerated ratio, 1 at {@code latencyRatioAtZero}, logarithmic in between. */
  private double latencyPenalty(double ratio) {
    double tolerance = t.latencyRatioTolerance();
    return clamp(Math.log(ratio / tolerance) / Math.log(t.latencyRatioAtZero() / tolerance));
  }

  private double volumeConfidence(long n) {
    return (double) n / (n + t.minRequests());
  }

  private static double peerConfidence(int peers) {
    return peers >= 2 ? 1.0 : peers == 1 ? 0.75 : 0.5;
  }

  private static Window window(long start, long end) {
    return Window.newBuilder().setStartUnixMillis(start).setEndUnixMillis(end).build();
  }

  private static double clamp(double v) {
    return Math.max(0.0, Math.min(1.0, v));
  }

  /**
   * {@code "error rate %.1f %% vs peers %.1f %% (n=%d), p99 %.0f ms vs peers' median %.0f ms"},
   * built without the formatter: it is written for every healthy endpoint every slide.
   */
  static String healthyReason(
      double errorPercent, double peerPercent, long n, double p99, double peerMedianP99) {
    return "error rate "
        + Decimals.fixed(errorPercent, 1)
        + " % vs peers "
        + Decimals.fixed(peerPercent, 1)
        + " % (n="
        + n
        + "), p99 "
        + Decimals.fixed(p99, 0)
        + " ms vs peers' median "
        + Decimals.fixed(peerMedianP99, 0)
        + " ms";
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
