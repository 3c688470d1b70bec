package io.meshpulse.sim.scenario;

/** A log-normal latency distribution given by its median and 99th percentile, in milliseconds. */
public record LatencySpec(double medianMs, double p99Ms) {
  public LatencySpec {
    if (!(medianMs > 0) || !(p99Ms >= medianMs)) {
      throw new IllegalArgumentException(
          "latency needs 0 < median <= p99, got median=" + medianMs + " p99=" + p99Ms);
    }
  }
}
