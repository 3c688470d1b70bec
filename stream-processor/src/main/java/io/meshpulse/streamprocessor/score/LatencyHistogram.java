package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * A finished window's latencies in milliseconds: the non-empty bins of DDSketch's logarithmic index
 * mapping at 1 % relative accuracy ({@link #MAPPING}) as two sorted arrays, plus the count of zero
 * latencies. What the window stage sends to the cluster stage instead of a whole DDSketch: built by
 * adding up the panes' bins, written as varint deltas, and read back without a dense store;
 * quantiles are taken in one pass and are the values DDSketch itself gives for the same bins.
 */
public final class LatencyHistogram {
  static final double RELATIVE_ACCURACY = 0.01;

  /** DDSketch's logarithmic mapping: bin i holds the values within 1 % of its value. */
  static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

  static final LatencyHistogram EMPTY = new LatencyHistogram(0, new int[0], new long[0], 0);

  private final long zeros;
  private final int[] indexes;
  private final long[] counts;
  private final int bins;
  private final long total;
  // The scorer's three quantiles, taken in one pass on first use: windows are built by one stage
  // and read by the next, and most are never asked for them twice.
  private boolean summarized;
  private double p50;
  private double p90;
  private double p99;

  private LatencyHistogram(long zeros, int[] indexes, long[] counts, int bins) {
    this.zeros = zeros;
    this.indexes = indexes;
    this.counts = counts;
    this.bins = bins;
    long sum = zeros;
    for (int i = 0; i < bins; i++) {
      sum += counts[i];
    }
    this.total = sum;
  }

  /** Sorted bins, taken as they are (the caller no longer changes the arrays). */
  static LatencyHistogram ofBins(long zeros, int[] indexes, long[] counts, int bins) {
    return bins == 0 && zeros == 0 ? EMPTY : new LatencyHistogram(zeros, indexes, counts, bins);
  }

  /** The latencies of {@code panes}, added up. */
  static LatencyHistogram ofPanes(LatencyBins... panes) {
    long zeros = 0;
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    int pairs = 0;
    for (LatencyBins p : panes) {
      zeros += p.zeros();
      if (p.bins() > 0) {
        min = Math.min(min, p.index(0));
        max = Math.max(max, p.index(p.bins() - 1));
        pairs += p.bins();
      }
    }
    if (min > max) {
      return zeros == 0 ? EMPTY : new LatencyHistogram(zeros, new int[0], new long[0], 0);
    }
    long[] dense = new long[max - min + 1];
    for (LatencyBins p : panes) {
      for (int i = 0; i < p.bins(); i++) {
        dense[p.index(i) - min] += p.countAt(i);
      }
    }
    return fromDense(zeros, dense, min, pairs);
  }

  /** {@code histograms} added up (a service's latencies from its endpoints'). */
  static LatencyHistogram sum(List<LatencyHistogram> histograms) {
    long zeros = 0;
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (LatencyHistogram h : histograms) {
      zeros += h.zeros;
      if (h.bins > 0) {
        min = Math.min(min, h.indexes[0]);
        max = Math.max(max, h.indexes[h.bins - 1]);
      }
    }
    if (min > max) {
      return zeros == 0 ? EMPTY : new LatencyHistogram(zeros, new int[0], new long[0], 0);
    }
    long[] dense = new long[max - min + 1];
    for (LatencyHistogram h : histograms) {
      for (int i = 0; i < h.bins; i++) {
        dense[h.indexes[i] - min] += h.counts[i];
      }
    }
    int pairs = 0;
    for (LatencyHistogram h : histograms) {
      pairs += h.bins;
    }
    return fromDense(zeros, dense, min, pairs);
  }

  /** The non-empty bins of {@code dense}, of which there are at most {@code maxBins}. */
  static LatencyHistogram fromDense(long zeros, long[] dense, int offset, int maxBins) {
    int capacity = Math.min(dense.length, maxBins);
    int[] indexes = new int[capacity];
    long[] counts = new long[capacity];
    int bins = 0;
    for (int i = 0; i < dense.length; i++) {
      if (dense[i] != 0) {
        indexes[bins] = i + offset;
        counts[bins++] = dense[i];
      }
    }
    return new LatencyHistogram(zeros, indexes, counts, bins);
  }

  /** How many latencies it holds. */
  public long count() {
    return total;
  }

  public boolean isEmpty() {
    return total == 0;
  }

  /**
   * The values at ascending quantiles {@code qs}, in one pass over the bins: for each, the bin in
   * which the cumulative count first exceeds {@code q × (count − 1)}, as {@link
   * DDSketch#getValueAtQuantile} picks it. All zeros when empty.
   */
  public double[] quantiles(double... qs) {
    return quantiles(zeros, indexes, counts, bins, total, qs);
  }

  public double quantile(double q) {
    return quantiles(q)[0];
  }

  /** The median (0 when empty). */
  public double p50() {
    summarize();
    return p50;
  }

  /** The 90th percentile (0 when empty). */
  public double p90() {
    summarize();
    return p90;
  }

  /** The 99th percentile (0 when empty). */
  public double p99() {
    summarize();
    return p99;
  }

  private void summarize() {
    if (!summarized) {
      double[] values = quantiles(0.50, 0.90, 0.99);
      p50 = values[0];
      p90 = values[1];
      p99 = values[2];
      summarized = true;
    }
  }

  /**
   * How many latencies lie in bins whose value is above {@code millis} (zeros never are): the count
   * of requests slower than a reference latency, to the sketch's 1 % accuracy.
   */
  public long countAbove(double millis) {
    int from = bins;
    while (from > 0 && MAPPING.value(indexes[from - 1]) > millis) {
      from--;
    }
    long above = 0;
    for (int i = from; i < bins; i++) {
      above += counts[i];
    }
    return above;
  }

  /**
   * {@link #quantiles} of any sorted bins: {@code zeros} values below the first bin, then {@code
   * bins} (index, count) pairs, {@code total} values in all.
   */
  static double[] quantiles(
      long zeros, int[] indexes, long[] counts, int bins, long total, double... qs) {
    double[] values = new double[qs.length];
    if (total == 0) {
      return values;
    }
    int q = 0;
    double cumulative = zeros;
    while (q < qs.length && cumulative > qs[q] * (total - 1)) {
      values[q++] = 0.0;
    }
    for (int i = 0; i < bins && q < qs.length; i++) {
      cumulative += counts[i];
      while (q < qs.length && cumulative > qs[q] * (total - 1)) {
        values[q++] = MAPPING.value(indexes[i]);
      }
    }
    // Rounding at the top: the rank can only be reached by the last bin.
    double last = bins > 0 ? MAPPING.value(indexes[bins - 1]) : 0.0;
    while (q < qs.length) {
      values[q++] = last;
    }
    return values;
  }

  /** Zeros, the number of bins, then each bin as an index delta (zig-zag) and its count. */
  void writeTo(DataOutput out) throws IOException {
    writeBins(zeros, indexes, counts, bins, out);
  }

  /** Writes sorted bins in {@link #writeTo}'s form. */
  static void writeBins(long zeros, int[] indexes, long[] counts, int bins, DataOutput out)
      throws IOException {
    VarInts.write(zeros, out);
    VarInts.write(bins, out);
    int previous = 0;
    for (int i = 0; i < bins; i++) {
      VarInts.writeSigned(indexes[i] - (long) previous, out);
      VarInts.write(counts[i], out);
      previous = indexes[i];
    }
  }

  static LatencyHistogram readFrom(DataInput in) throws IOException {
    long zeros = VarInts.read(in);
    long bins = VarInts.read(in);
    if (bins < 0 || bins > 1 << 20) {
      throw new IOException("bad latency histogram: " + bins + " bins");
    }
    int n = (int) bins;
    int[] indexes = new int[n];
    long[] counts = new long[n];
    int index = 0;
    for (int i = 0; i < n; i++) {
      index += (int) VarInts.readSigned(in);
      indexes[i] = index;
      counts[i] = VarInts.read(in);
    }
    return n == 0 && zeros == 0 ? EMPTY : new LatencyHistogram(zeros, indexes, counts, n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyHistogram h
        && zeros == h.zeros
        && Arrays.equals(indexes, 0, bins, h.indexes, 0, h.bins)
        && Arrays.equals(counts, 0, bins, h.counts, 0, h.bins);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(zeros) + Arrays.hashCode(Arrays.copyOf(indexes, bins));
  }

  @Override
  public String toString() {
    return "LatencyHistogram{count=" + total + ", bins=" + bins + "}";
  }
}
