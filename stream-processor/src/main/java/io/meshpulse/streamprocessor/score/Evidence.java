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
    return n * divergence(p, baseline);
  }

  /**
   * The evidence that {@code k} of {@code n} is a higher rate than {@code peerK} of {@code peerN}
   * when the peers' rate is itself estimated from their counts: the two-sample log-likelihood ratio
   * {@code n · KL(p̂ ‖ p̄) + peerN · KL(p̂peer ‖ p̄)} against the pooled rate {@code p̄}; 0 when
   * the rate is not above the peers'. As {@code peerN} grows it approaches {@link #nats} against
   * the peers' rate; with as few peer requests as the endpoint has, it is far smaller, as a rate
   * estimated from few requests deserves.
   */
  static double twoSampleNats(long k, long n, long peerK, long peerN) {
    if (n <= 0 || peerN <= 0) {
      return 0.0;
    }
    double p = (double) k / n;
    double peer = (double) peerK / peerN;
    if (p <= peer) {
      return 0.0;
    }
    double pooled = (double) (k + peerK) / (n + peerN);
    return n * divergence(p, pooled) + peerN * divergence(peer, pooled);
  }

  /** {@code KL(p ‖ q)} of two Bernoulli rates, {@code q} in (0, 1). */
  private static double divergence(double p, double q) {
    double fail = p <= 0.0 ? 0.0 : p * Math.log(p / q);
    double pass = p >= 1.0 ? 0.0 : (1 - p) * Math.log((1 - p) / (1 - q));
    return fail + pass;
  }
}
