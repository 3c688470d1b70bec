package io.meshpulse.sim.model;

import io.meshpulse.sim.scenario.LatencySpec;
import java.util.random.RandomGenerator;

/**
 * A log-normal latency distribution fitted to a median and a p99: {@code mu = ln(median)}, {@code
 * sigma = (ln(p99) - ln(median)) / z(0.99)}.
 */
public final class LatencyModel {
  /** The standard normal quantile at 0.99. */
  static final double Z99 = 2.3263478740408408;

  private final double mu;
  private final double sigma;

  public LatencyModel(LatencySpec spec) {
    this.mu = Math.log(spec.medianMs());
    this.sigma = (Math.log(spec.p99Ms()) - mu) / Z99;
  }

  /** One latency sample, in milliseconds. */
  public double sampleMs(RandomGenerator random) {
    return Math.exp(mu + sigma * random.nextGaussian());
  }
}
