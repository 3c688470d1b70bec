package io.meshpulse.collector.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.concurrent.atomic.LongAdder;

/**
 * A classic Prometheus histogram with fixed upper bounds; lock-free. Observations are whole numbers
 * of a fine unit ({@code perUnit} of them make one unit of the exposed bounds and sum, for example
 * microseconds for a histogram in milliseconds), so counting them needs no floating point.
 */
final class Histogram {
  private final double[] bounds;
  private final long[] fineBounds;
  private final double perUnit;
  private final LongAdder[] counts;
  private final LongAdder sum = new LongAdder();

  /**
   * {@code bounds}: the finite upper bounds, ascending, each a whole number of fine units once
   * multiplied by {@code perUnit}; {@code +Inf} is added.
   */
  Histogram(double[] bounds, long perUnit) {
    this.perUnit = perUnit;
    this.bounds = new double[bounds.length + 1];
    this.fineBounds = new long[bounds.length + 1];
    for (int i = 0; i < bounds.length; i++) {
      this.bounds[i] = bounds[i];
      this.fineBounds[i] = Math.round(bounds[i] * perUnit);
      if (fineBounds[i] != bounds[i] * perUnit) {
        throw new IllegalArgumentException("bound " + bounds[i] + " is not a whole fine unit");
      }
    }
    this.bounds[bounds.length] = Double.POSITIVE_INFINITY;
    this.fineBounds[bounds.length] = Long.MAX_VALUE;
    this.counts = new LongAdder[this.bounds.length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** Observes {@code fine} fine units ({@code fine / perUnit} units). */
  void observe(long fine) {
    int i = 0;
    while (fine > fineBounds[i]) {
      i++;
    }
    counts[i].increment();
    sum.add(fine);
  }

  /** Observations so far. */
  long count() {
    long count = 0;
    for (LongAdder c : counts) {
      count += c.sum();
    }
    return count;
  }

  HistogramDataPointSnapshot snapshot(Labels labels) {
    long[] values = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      values[i] = counts[i].sum();
    }
    return new HistogramDataPointSnapshot(
        ClassicHistogramBuckets.of(bounds, values),
        sum.sum() / perUnit,
        labels,
        Exemplars.EMPTY,
        0L);
  }
}
