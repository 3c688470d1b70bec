package io.meshpulse.xds.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SignalTest {
  @Test
  void twoDecimals_writeWhatPercentTwoFWrites() {
    double[] edges = {
      0,
      -0.0,
      1,
      0.005,
      0.015,
      0.125,
      0.145,
      0.995,
      0.9949999,
      -0.001,
      -0.125,
      12.345,
      99.995,
      1e-9,
      123456.785,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      1e300
    };
    for (double v : edges) {
      assertTwoDecimals(v);
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      assertTwoDecimals(random.nextDouble());
      assertTwoDecimals(random.nextInt(100_000) / 1000.0);
      assertTwoDecimals((random.nextDouble() - 0.5) * 1000);
      assertTwoDecimals(random.nextInt(100_000_000) / 1000.0 + 0.005);
      assertTwoDecimals(random.nextDouble() * 1e12);
    }
  }

  private static void assertTwoDecimals(double v) {
    assertThat(Signal.appendTwoDecimals(new StringBuilder(), v).toString())
        .as("%s", v)
        .isEqualTo(String.format(Locale.ROOT, "%.2f", v));
  }
}
