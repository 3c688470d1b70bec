package io.meshpulse.streamprocessor.score;

/** The Wilson score interval of a binomial proportion: honest at small n, unlike p ± z·σ. */
final class Wilson {
  private Wilson() {}

  /** The lower bound of the interval for {@code successes} out of {@code n}; 0 when n is 0. */
  static double lowerBound(long successes, long n, double z) {
    if (n <= 0) {
      return 0.0;
    }
    double p = (double) successes / n;
    double z2 = z * z;
    double denominator = 1 + z2 / n;
    double centre = p + z2 / (2.0 * n);
    double margin = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return Math.max(0.0, (centre - margin) / denominator);
  }
}
