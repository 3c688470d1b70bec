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

  /** Errors of requests: the peers' counts a baseline rate is estimated from. */
  record Tally(long errors, long requests) {
    double rate() {
      return requests == 0 ? 0.0 : (double) errors / requests;
    }
  }

  /** The peers' window counts. */
  Tally windowTally() {
    return new Tally(window.errors(), window.requests());
  }

  /**
   * The counts of the last recent span's baseline ({@link ScoringThresholds#recentSpanMillis}): the
   * peers' counts over it, or over the window when their rate is higher (a fault hitting every peer
   * at once raises the short-span rate too, and a quiet span must not make the baseline lower than
   * the window's).
   */
  Tally spanTally() {
    return shortSpanBaseline(spanErrors, spanRequests);
  }

  /** The counts of the last slide's baseline, in the same way as {@link #spanTally()}. */
  Tally recentTally() {
    return shortSpanBaseline(recentErrors, recentRequests);
  }

  double spanErrorRate() {
    return spanTally().rate();
  }

  double errorRate() {
    return window.errorRate();
  }

  double recentErrorRate() {
    return recentTally().rate();
  }

  private Tally shortSpanBaseline(long errors, long requests) {
    Tally windowTally = windowTally();
    return requests == 0 || (double) errors / requests <= windowTally.rate()
        ? windowTally
        : new Tally(errors, requests);
  }
}
