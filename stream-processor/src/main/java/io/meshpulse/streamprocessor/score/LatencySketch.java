package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

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
}
