package io.meshpulse.sim.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshpulse.sim.scenario.LatencySpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyModelTest {
  static double quantile(double[] sorted, double q) {
    return sorted[(int) Math.floor(q * (sorted.length - 1))];
  }

  static double[] samples(LatencyModel m, long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = m.sampleMs(r);
    }
    Arrays.sort(s);
    return s;
  }

  @Test
  void samples_haveTheConfiguredMedianAndP99() {
    double[] s = samples(new LatencyModel(new LatencySpec(20, 80)), 7, 200_000);
    // with 200k samples the empirical quantiles are within ~1-2 % of the true ones
    assertThat(quantile(s, 0.5)).as("median").isCloseTo(20, within(0.6));
    assertThat(quantile(s, 0.99)).as("p99").isCloseTo(80, within(3.0));
    assertThat(s[0]).as("all positive").isPositive();
  }

  @Test
  void sameSeed_givesTheSameSamples() {
    LatencyModel m = new LatencyModel(new LatencySpec(5, 25));
    assertThat(samples(m, 3, 100)).as("seeded").containsExactly(samples(m, 3, 100));
    assertThat(samples(m, 3, 100)).as("other seed").isNotEqualTo(samples(m, 4, 100));
  }
}
