package io.meshpulse.collector.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A classic Prometheus histogram with fixed upper bounds; lock-free. */
final class Histogram {
  private final double[] bounds;
  private final LongAdder[] counts;
  private final DoubleAdder sum = new DoubleAdder();

  /** {@code bounds}: the finite upper bounds, ascending; {@code +Inf} is added. */
  Histogram(double[] bounds) {
    this.bounds = new double[bounds.length + 1];
    System.arraycopy(bounds, 0, this.bounds, 0, bounds.length);
    this.bounds[bounds.length] = Double.POSITIVE_INFINITY;
    this.counts = new LongAdder[this.bounds.length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void observe(double value) {
    int i = 0;
    while (value > bounds[i]) {
      i++;
    }
    counts[i].increment();
    sum.add(value);
  }

  HistogramDataPointSnapshot snapshot(Labels labels) {
    long[] values = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      values[i] = counts[i].sum();
    }
    return new HistogramDataPointSnapshot(
        ClassicHistogramBuckets.of(bounds, values), sum.sum(), labels, Exemplars.EMPTY, 0L);
  }
}
