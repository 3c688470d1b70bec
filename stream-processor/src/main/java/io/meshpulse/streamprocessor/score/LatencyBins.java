package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * One pane's latencies in milliseconds: the bins of {@link LatencyHistogram#MAPPING} (DDSketch's
 * logarithmic mapping at 1 % relative accuracy), kept sparse as sorted (index, count) pairs plus
 * the count of values too small to index. A pane holds a second of one endpoint's requests, which
 * fill a few of the ~100 bins their range spans, so a sparse pane is smaller than a dense store and
 * a window adds up ten of them without walking empty bins. Checkpointed in the form panes of a
 * DDSketch were: the zero count, the bins as index deltas and counts, an empty negative store.
 */
final class LatencyBins {
  private static final IndexMapping MAPPING = LatencyHistogram.MAPPING;
  private static final double MIN_INDEXABLE = MAPPING.minIndexableValue();

  private long zeros;
  private int[] indexes;
  private long[] counts;
  private int bins;
  private long total;

  LatencyBins() {
    this(new int[4], new long[4]);
  }

  private LatencyBins(int[] indexes, long[] counts) {
    this.indexes = indexes;
    this.counts = counts;
  }

  /** Adds one latency ({@code ≥ 0}; DDSketch counts values below its smallest bin as zeros). */
  void add(double latencyMs) {
    total++;
    if (!(latencyMs > MIN_INDEXABLE)) {
      zeros++;
      return;
    }
    add(MAPPING.index(latencyMs), 1);
  }

  private void add(int index, long count) {
    int at = Arrays.binarySearch(indexes, 0, bins, index);
    if (at >= 0) {
      counts[at] += count;
      return;
    }
    int insert = -at - 1;
    if (bins == indexes.length) {
      indexes = Arrays.copyOf(indexes, bins * 2);
      counts = Arrays.copyOf(counts, bins * 2);
    }
    System.arraycopy(indexes, insert, indexes, insert + 1, bins - insert);
    System.arraycopy(counts, insert, counts, insert + 1, bins - insert);
    indexes[insert] = index;
    counts[insert] = count;
    bins++;
  }

  long count() {
    return total;
  }

  long zeros() {
    return zeros;
  }

  int bins() {
    return bins;
  }

  int index(int bin) {
    return indexes[bin];
  }

  long countAt(int bin) {
    return counts[bin];
  }

  /** These latencies as an immutable histogram (a copy). */
  LatencyHistogram toHistogram() {
    return LatencyHistogram.ofBins(
        zeros, Arrays.copyOf(indexes, bins), Arrays.copyOf(counts, bins), bins);
  }

  LatencyBins copy() {
    LatencyBins copy =
        new LatencyBins(
            Arrays.copyOf(indexes, Math.max(4, bins)), Arrays.copyOf(counts, Math.max(4, bins)));
    copy.zeros = zeros;
    copy.bins = bins;
    copy.total = total;
    return copy;
  }

  /** Zeros, then the bins (count, then index deltas and counts), then an empty negative store. */
  void writeTo(DataOutput out) throws IOException {
    LatencyHistogram.writeBins(zeros, indexes, counts, bins, out);
    VarInts.write(0, out);
  }

  static LatencyBins readFrom(DataInput in) throws IOException {
    LatencyBins b = new LatencyBins();
    b.zeros = VarInts.read(in);
    b.total = b.zeros;
    for (int store = 0; store < 2; store++) {
      long n = VarInts.read(in);
      if (n < 0 || n > 1 << 20) {
        throw new IOException("bad latency bins: " + n + " bins");
      }
      int index = 0;
      for (long i = 0; i < n; i++) {
        index += (int) VarInts.readSigned(in);
        long count = VarInts.read(in);
        b.total += count;
        if (store == 0) {
          b.add(index, count);
        } else {
          // Negative latencies are never recorded; an old pane that had some counts them as zeros.
          b.zeros += count;
        }
      }
    }
    return b;
  }
}
