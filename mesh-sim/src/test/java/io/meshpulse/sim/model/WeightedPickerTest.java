package io.meshpulse.sim.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedPickerTest {
  @Test
  void picks_followTheWeightsWithinBinomialTolerance() {
    WeightedPicker<String> p =
        new WeightedPicker<>(List.of("a", "b", "c", "d"), new long[] {1, 2, 0, 7});
    SplittableRandom r = new SplittableRandom(5);
    int n = 100_000;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(p.pick(r), 1, Integer::sum);
    }
    double[] expected = {0.1, 0.2, 0, 0.7};
    String[] names = {"a", "b", "c", "d"};
    for (int i = 0; i < names.length; i++) {
      double share = counts.getOrDefault(names[i], 0) / (double) n;
      double tol = 4 * Math.sqrt(expected[i] * (1 - expected[i]) / n);
      assertThat(share).as("share of " + names[i]).isBetween(expected[i] - tol, expected[i] + tol);
    }
    assertThat(counts).as("zero weight never picked").doesNotContainKey("c");
  }

  @Test
  void allZeroWeights_areRejected() {
    assertThatThrownBy(() -> new WeightedPicker<>(List.of("a"), new long[] {0}))
        .as("all zero")
        .hasMessageContaining("all weights are 0");
  }
}
