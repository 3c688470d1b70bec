package io.meshpulse.streamprocessor.score;

import java.util.Objects;

/**
 * The last slide of a window (e.g. its last second): enough to see a fault that began less than a
 * slide ago at full strength, while the whole window still dilutes it. Immutable.
 */
public final class RecentSlide {
  static final RecentSlide EMPTY = new RecentSlide(0, 0, LatencyHistogram.EMPTY, 0, 0);

  private final long requests;
  private final long errors;
  private final LatencyHistogram latencyMillis;
  private final long spanRequests;
  private final long spanErrors;

  /**
   * @param requests requests in the last slide
   * @param errors errors in the last slide
   * @param latencyMillis the latencies of the last slide's requests that carried one: the peer
   *     comparison counts how many of them are slower than the peers' p90
   * @param spanRequests requests in the recent span (the last slides covering {@link
   *     ScoringThresholds#recentSpanMillis})
   * @param spanErrors errors in the recent span: a moderate fault (a few percent of errors) is
   *     significant over three seconds of traffic long before it is over the whole window, and one
   *     second alone is too little evidence for it
   */
  RecentSlide(
      long requests,
      long errors,
      LatencyHistogram latencyMillis,
      long spanRequests,
      long spanErrors) {
    this.requests = requests;
    this.errors = errors;
    this.latencyMillis = latencyMillis;
    this.spanRequests = spanRequests;
    this.spanErrors = spanErrors;
  }

  /** A last slide whose span is the slide alone. */
  RecentSlide(long requests, long errors, LatencyHistogram latencyMillis) {
    this(requests, errors, latencyMillis, requests, errors);
  }

  public long requests() {
    return requests;
  }

  public long errors() {
    return errors;
  }

  /** Requests of the last slide that carried a latency. */
  public long latencyCount() {
    return latencyMillis.count();
  }

  /**
   * The last slide's median latency (0 when none): a median, because with ~50 samples a slide's p99
   * is its maximum and one stray slow request would look like a regression.
   */
  public double p50Millis() {
    return latencyMillis.p50();
  }

  /** The last slide's p90 latency (0 when none). */
  public double p90Millis() {
    return latencyMillis.p90();
  }

  /** The last slide's latencies. */
  LatencyHistogram latencyMillis() {
    return latencyMillis;
  }

  public long spanRequests() {
    return spanRequests;
  }

  public long spanErrors() {
    return spanErrors;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecentSlide r
        && requests == r.requests
        && errors == r.errors
        && spanRequests == r.spanRequests
        && spanErrors == r.spanErrors
        && latencyMillis.equals(r.latencyMillis);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requests, errors, spanRequests, spanErrors, latencyMillis);
  }

  @Override
  public String toString() {
    return "RecentSlide{requests="
        + requests
        + ", errors="
        + errors
        + ", latencies="
        + latencyMillis.count()
        + ", spanRequests="
        + spanRequests
        + ", spanErrors="
        + spanErrors
        + "}";
  }
}
