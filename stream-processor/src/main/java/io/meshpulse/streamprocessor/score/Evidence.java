package io.meshpulse.streamprocessor.score;

/**
 * How strongly a count of errors says that an endpoint's error rate is above a baseline: the
 * log-likelihood ratio (in nats) of the observed rate against the baseline rate, {@code n · KL(p̂ ‖
 * p0)} for Bernoulli trials. Under the baseline, the chance of reaching {@code h} nats is at most
 * {@code e^-h} (Chernoff), whatever the volume: 16 nats is about one in nine million.
 */
final class Evidence {
  private Evidence() {}

  /**
   * The evidence of {@code errors} out of {@code n} against {@code baseline}; 0 when the observed
   * rate is not above it. {@code baseline} must be in (0, 1).
   */
  static double nats(long errors, long n, double baseline) {
    if (n <= 0) {
      return 0.0;
    }
    double p = (double) errors / n;
    if (p <= baseline) {
      return 0.0;
    }
    double fail = p * Math.log(p / baseline);
    double pass = p >= 1.0 ? 0.0 : (1 - p) * Math.log((1 - p) / (1 - baseline));
    return n * (fail + pass);
  }
}
