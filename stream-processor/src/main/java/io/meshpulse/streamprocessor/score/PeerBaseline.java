package io.meshpulse.streamprocessor.score;

import java.util.OptionalDouble;

/**
 * What one endpoint is compared with: the pooled errors of the other endpoints of its cluster and
 * subset (over the window and over its last slide) and the median of their p99s.
 *
 * @param peers how many other endpoints had traffic in the window
 * @param window the peers' pooled window counts
 * @param recentRequests the peers' requests in the last slide
 * @param recentErrors the peers' errors in the last slide
 * @param spanRequests the peers' requests in the last recent span ({@link
 *     ScoringThresholds#recentSpanMillis})
 * @param spanErrors the peers' errors in the last recent span ({@link
 *     ScoringThresholds#recentSpanMillis})
 * @param medianP99Millis the median p99 of the peers with enough requests to judge latency
 * @param medianRecentP50Millis the median of the peers' last-slide p50s (peers with enough
 *     last-slide requests)
 * @param medianRecentP90Millis the median of the same peers' last-slide p90s
 * @param slowMillis the reference a request is slow against: the median of the window p90s of the
 *     subset's endpoints with enough requests to judge latency (0: none)
 * @param slowShare the share of the peers' requests slower than {@code slowMillis}: the larger of
 *     their window's and their last slide's (about 10 % when the peers are alike)
 * @param p99Peers the latencies of the peers {@code medianP99Millis} is taken over
 */
public record PeerBaseline(
    int peers,
    ErrorCounts window,
    long recentRequests,
    long recentErrors,
    long spanRequests,
    long spanErrors,
    OptionalDouble medianP99Millis,
    OptionalDouble medianRecentP50Millis,
    OptionalDouble medianRecentP90Millis,
    double slowMillis,
    double slowShare,
    PeerLatencies p99Peers) {

  public static PeerBaseline none() {
    return new PeerBaseline(
        0,
        new ErrorCounts(0, 0, 0, 0, 0),
        0,
        0,
        0,
        0,
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        0,
        0,
        PeerLatencies.NONE);
  }

  /**
   * The baseline of the last recent span ({@link ScoringThresholds#recentSpanMillis}): the peers'
   * rate over them, or over the window when that is higher (a fault hitting every peer at once
   * raises the short-span rate too, and a quiet span must not make the baseline lower than the
   * window's).
   */
  double spanErrorRate() {
    return shortSpanBaseline(spanErrors, spanRequests);
  }

  double errorRate() {
    return window.errorRate();
  }

  /** The baseline of the last slide, in the same way as {@link #spanErrorRate()}. */
  double recentErrorRate() {
    return shortSpanBaseline(recentErrors, recentRequests);
  }

  private double shortSpanBaseline(long errors, long requests) {
    double windowRate = errorRate();
    return requests == 0 ? windowRate : Math.max(windowRate, (double) errors / requests);
  }
}
