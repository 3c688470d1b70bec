package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;

/**
 * The reference the job's bins are checked against: a DDSketch with the same 1 % logarithmic
 * mapping ({@link LatencyHistogram#MAPPING}) and a dense store capped at {@value #MAX_BINS} bins.
 */
final class LatencySketch {
  static final int MAX_BINS = 1024;

  private LatencySketch() {}

  static DDSketch create() {
    return DDSketches.logarithmicCollapsingLowestDense(
        LatencyHistogram.RELATIVE_ACCURACY, MAX_BINS);
  }

  static double quantile(DDSketch sketch, double q) {
    return sketch.isEmpty() ? 0.0 : sketch.getValueAtQuantile(q);
  }
}
