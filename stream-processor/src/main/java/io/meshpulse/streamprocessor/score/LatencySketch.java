package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;

/**
 * Latency sketches in milliseconds: DDSketch with 1 % relative accuracy, a logarithmic index
 * mapping and a dense store capped at {@value #MAX_BINS} bins that collapses the lowest bins first
 * (so the high quantiles the scorer reads stay exact to 1 %). Mergeable, so per-endpoint sketches
 * add up to the service's.
 */
final class LatencySketch {
  static final double RELATIVE_ACCURACY = 0.01;
  static final int MAX_BINS = 1024;

  private LatencySketch() {}

  static DDSketch create() {
    return DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
  }

  static double quantile(DDSketch sketch, double q) {
    return sketch.isEmpty() ? 0.0 : sketch.getValueAtQuantile(q);
  }

  static void write(DDSketch sketch, DataOutput out) throws IOException {
    GrowingByteArrayOutput buffer = GrowingByteArrayOutput.withInitialCapacity(64);
    sketch.encode(buffer, false);
    out.writeInt(buffer.numWrittenBytes());
    out.write(buffer.backingArray(), 0, buffer.numWrittenBytes());
  }

  static DDSketch read(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return DDSketch.decode(
        ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS));
  }

  /**
   * A compact form for sparse sketches (a second of one endpoint's requests fills a few of the ~100
   * bins its latency range spans): the zero count, then per store the non-empty bins as index
   * deltas and counts, all varints. Counts are whole numbers (one per request).
   */
  static void writeSparse(DDSketch sketch, DataOutput out) throws IOException {
    double stored =
        sketch.getPositiveValueStore().getTotalCount()
            + sketch.getNegativeValueStore().getTotalCount();
    VarInts.write(Math.round(sketch.getCount() - stored), out);
    writeBins(sketch.getPositiveValueStore(), out);
    writeBins(sketch.getNegativeValueStore(), out);
  }

  static DDSketch readSparse(DataInput in) throws IOException {
    DDSketch sketch = create();
    long zeros = VarInts.read(in);
    if (zeros > 0) {
      sketch.accept(0.0, zeros);
    }
    readBins(sketch.getPositiveValueStore(), in);
    readBins(sketch.getNegativeValueStore(), in);
    return sketch;
  }

  private static void writeBins(Store store, DataOutput out) throws IOException {
    int bins = 0;
    for (Iterator<Bin> it = store.getAscendingIterator(); it.hasNext(); ) {
      if (it.next().getCount() > 0) {
        bins++;
      }
    }
    VarInts.write(bins, out);
    int previous = 0;
    for (Iterator<Bin> it = store.getAscendingIterator(); it.hasNext(); ) {
      Bin bin = it.next();
      if (bin.getCount() > 0) {
        VarInts.writeSigned(bin.getIndex() - (long) previous, out);
        VarInts.write(Math.round(bin.getCount()), out);
        previous = bin.getIndex();
      }
    }
  }

  private static void readBins(Store store, DataInput in) throws IOException {
    long bins = VarInts.read(in);
    int index = 0;
    for (long i = 0; i < bins; i++) {
      index += (int) VarInts.readSigned(in);
      store.add(index, VarInts.read(in));
    }
  }
}
