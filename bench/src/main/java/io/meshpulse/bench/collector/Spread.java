package io.meshpulse.bench.collector;

import java.util.Arrays;

/** The median and the range of repeated measurements of one figure. */
record Spread(double median, double min, double max, int rounds) {
  static Spread of(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Spread(median, sorted[0], sorted[n - 1], n);
  }

  /** The range as a share of the median, in percent. */
  double rangePercent() {
    return median == 0 ? 0 : 100 * (max - min) / median;
  }

  /** "median (min–max)", rounded to whole units with thousands separators. */
  String text() {
    return String.format("%,.0f (%,.0f–%,.0f)", median, min, max);
  }
}
