package io.meshpulse.xds.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PolicyConfigTest {

  @Test
  void defaults_areTheDocumentedOnes() {
    PolicyConfig c = PolicyConfig.DEFAULTS;
    assertThat(c.maxEjectionPercent()).as("max ejection").isEqualTo(20);
    assertThat(c.panicThresholdPercent()).as("panic threshold").isEqualTo(50);
    assertThat(c.staleAfter()).as("stale after").isEqualTo(Duration.ofSeconds(10));
    assertThat(c.dryRun()).as("dry run").isFalse();
  }

  @Test
  void build_rejectsAnOutOfRangeValue_namingTheProperty() {
    assertThatThrownBy(() -> PolicyConfig.builder().maxEjectionPercent(120).build())
        .as("max ejection above 100")
        .hasMessageContaining("meshpulse.xds.policy.max-ejection-percent");
    assertThatThrownBy(() -> PolicyConfig.builder().unhealthyMinConfidence(-0.1).build())
        .as("negative confidence")
        .hasMessageContaining("unhealthy-min-confidence");
  }

  @Test
  void build_rejectsAnEjectionTimeShorterThanTheDwellTime() {
    assertThatThrownBy(
            () ->
                PolicyConfig.builder()
                    .minDwell(Duration.ofSeconds(10))
                    .baseEjectionTime(Duration.ofSeconds(5))
                    .build())
        .as("ejection shorter than dwell")
        .hasMessageContaining("base-ejection-time");
  }

  @Test
  void ejectionTime_doublesWithEachOffence_andIsCapped() {
    PolicyConfig c =
        PolicyConfig.builder()
            .baseEjectionTime(Duration.ofSeconds(30))
            .maxEjectionTime(Duration.ofSeconds(100))
            .build();
    assertThat(c.ejectionTime(1)).as("first offence").isEqualTo(Duration.ofSeconds(30));
    assertThat(c.ejectionTime(2)).as("second offence").isEqualTo(Duration.ofSeconds(60));
    assertThat(c.ejectionTime(3)).as("third offence, capped").isEqualTo(Duration.ofSeconds(100));
    assertThat(c.ejectionTime(40))
        .as("fortieth offence, capped")
        .isEqualTo(Duration.ofSeconds(100));
  }
}
