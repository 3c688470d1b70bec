package io.meshpulse.xds.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EjectionLimitsTest {

  @ParameterizedTest(name = "{0} endpoints at 20 %/50 %: {1} automatic, {2} in all")
  @CsvSource({"1,0,0", "2,0,1", "3,1,1", "4,1,2", "5,1,2", "9,1,4", "10,2,5", "14,2,7", "15,3,7"})
  void limits_roundDown_butAllowOneEjectionFromThreeEndpoints(int n, int automatic, int total) {
    EjectionLimits limits = EjectionLimits.of(n, PolicyConfig.DEFAULTS);
    assertThat(limits.automatic())
        .as("automatic ejections of %d endpoints", n)
        .isEqualTo(automatic);
    assertThat(limits.total()).as("ejections before panic of %d endpoints", n).isEqualTo(total);
  }

  @ParameterizedTest(name = "{0} endpoints at 100 %: panic caps at {1}")
  @CsvSource({"2,1", "3,1", "4,2", "5,2", "7,3"})
  void panicThreshold_capsEvenAHundredPercentMaxEjection(int n, int cap) {
    PolicyConfig config = PolicyConfig.builder().maxEjectionPercent(100).build();
    EjectionLimits limits = EjectionLimits.of(n, config);
    assertThat(limits.automatic()).as("automatic ejections capped by panic").isEqualTo(cap);
    assertThat(100.0 * (n - cap) / n)
        .as("healthy percent after ejecting the cap")
        .isGreaterThanOrEqualTo(50.0);
  }
}
