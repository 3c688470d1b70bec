package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.Endpoint;
import java.util.Random;

/** Builds the window statistics of synthetic endpoints for scorer tests. */
final class Traffic {
  static final long WINDOW_START = 1_700_000_000_000L;
  static final long WINDOW_END = WINDOW_START + 10_000;
  static final long SLIDE = 1_000;

  private final Random random;
  private final EndpointAggregate aggregate = new EndpointAggregate(SLIDE);
  private final EndpointPanes panes = new EndpointPanes(10_000, SLIDE);
  private double sigma = 0.25;

  private Traffic(String cluster, String subset, int index, long seed) {
    this.random = new Random(seed);
    EndpointId id =
        new EndpointId(
            cluster,
            subset,
            Endpoint.newBuilder().setAddress("10.0.0." + index).setPort(8080).build());
    aggregate.identify(id);
    panes.identify(id);
  }

  static Traffic endpoint(int index) {
    return new Traffic("reviews", "", index, index);
  }

  static Traffic endpoint(String subset, int index) {
    return new Traffic("reviews", subset, index, index * 31L);
  }

  /** Latencies of later {@link #add}s spread log-normally with this σ (default 0.25). */
  Traffic sigma(double value) {
    sigma = value;
    return this;
  }

  /**
   * Adds {@code requests} spread evenly over {@code [fromMillis, toMillis)} of the window, of which
   * a fraction {@code errorRate} (spread evenly) fail with {@code errorClass}, with latencies
   * around {@code medianMillis} (log-normal, σ = {@link #sigma}).
   */
  Traffic add(
      long fromOffset,
      long toOffset,
      int requests,
      double errorRate,
      ErrorClass errorClass,
      double medianMillis) {
    double errorsSoFar = 0;
    for (int i = 0; i < requests; i++) {
      long ts = WINDOW_START + fromOffset + (toOffset - fromOffset) * i / requests;
      boolean error = (i + 1) * errorRate - errorsSoFar >= 1 - 1e-9;
      if (error) {
        errorsSoFar++;
      }
      double latency = medianMillis * Math.exp(sigma * random.nextGaussian());
      aggregate.add(ts, error ? errorClass : ErrorClass.NONE, latency, "proxy-" + (i % 4));
      panes.add(ts, error ? errorClass : ErrorClass.NONE, latency, "proxy-" + (i % 4));
    }
    return this;
  }

  /** Steady traffic over the whole window. */
  Traffic steady(int requests, double errorRate, double medianMillis) {
    return add(0, 10_000, requests, errorRate, ErrorClass.HTTP_5XX, medianMillis);
  }

  EndpointAggregate statsSource() {
    return aggregate;
  }

  EndpointStats stats() {
    return aggregate.snapshot(WINDOW_START, WINDOW_END);
  }

  /** The same window as the job computes it, from one-slide panes (with the recent span). */
  EndpointStats paneStats() {
    return panes.window(WINDOW_END);
  }
}
