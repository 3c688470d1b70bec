package io.meshpulse.bench.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpreadTest {
  @Test
  void oddRounds_reportTheMiddleValueAndTheRange() {
    Spread spread = Spread.of(150_000, 120_000, 160_000);

    assertThat(spread.median()).as("median").isEqualTo(150_000);
    assertThat(spread.min()).as("min").isEqualTo(120_000);
    assertThat(spread.max()).as("max").isEqualTo(160_000);
    assertThat(spread.rangePercent()).as("range, %% of the median").isCloseTo(26.67, within());
    assertThat(spread.text()).as("text").isEqualTo("150,000 (120,000–160,000)");
  }

  @Test
  void evenRounds_reportTheMeanOfTheTwoMiddleValues() {
    assertThat(Spread.of(4, 1, 2, 3).median()).as("median of 1,2,3,4").isEqualTo(2.5);
  }

  @Test
  void noRounds_isRefused() {
    assertThatThrownBy(Spread::of).as("empty").isInstanceOf(IllegalArgumentException.class);
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(0.01);
  }
}
