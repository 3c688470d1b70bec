package io.meshpulse.streamprocessor.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalsTest {
  private static final double[] EDGES = {
    0.0,
    -0.0,
    0.05,
    0.15,
    0.25,
    0.35,
    0.45,
    0.95,
    1.05,
    2.5,
    3.5,
    9.95,
    99.95,
    0.5,
    1.5,
    1e-9,
    1e7,
    1.2345e7,
    1e21,
    123456789.95,
    4.35,
    0.8500000000000001,
    12.049999999999999,
    Double.MIN_VALUE,
    Double.MAX_VALUE,
    -1.25,
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY
  };

  @Test
  void fixed_printsWhatTheFormatterPrints_forEdgesAndRandomValues() {
    for (double v : EDGES) {
      for (int places = 0; places <= 2; places++) {
        assertThat(Decimals.fixed(v, places))
            .as("%s to %d places", v, places)
            .isEqualTo(String.format(Locale.ROOT, "%." + places + "f", v));
      }
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      double v =
          switch (i % 4) {
            case 0 -> random.nextDouble() * 100; // error rates in percent
            case 1 -> Math.exp(random.nextDouble(-5, 12)); // latencies in ms
            case 2 -> random.nextInt(10_000) / 100.0 + 0.05; // halfway cases
            default -> random.nextInt(2_000) / 2.0; // whole and half numbers
          };
      int places = i % 2;
      assertThat(Decimals.fixed(v, places))
          .as("%s to %d places", v, places)
          .isEqualTo(String.format(Locale.ROOT, "%." + places + "f", v));
    }
  }

  @Test
  void healthyReason_readsAsTheFormattedTemplate() {
    assertThat(HealthScorer.healthyReason(1.05, 0.4, 830, 410.5, 80.49))
        .as("reason")
        .isEqualTo(
            String.format(
                Locale.ROOT,
                "error rate %.1f %% vs peers %.1f %% (n=%d), p99 %.0f ms vs peers' median %.0f"
                    + " ms",
                1.05,
                0.4,
                830L,
                410.5,
                80.49))
        .isEqualTo("error rate 1.1 % vs peers 0.4 % (n=830), p99 411 ms vs peers' median 80 ms");
  }
}
