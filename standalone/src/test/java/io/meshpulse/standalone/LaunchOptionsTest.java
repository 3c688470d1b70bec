package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {
  @Test
  void demo_defaultsToNinetySeconds() {
    LaunchOptions options = LaunchOptions.parse(List.of("demo"));
    assertThat(options.duration()).as("demo duration").isEqualTo(Duration.ofSeconds(90));
    assertThat(options.kafkaPort()).as("kafka port").isEqualTo(19092);
  }

  @Test
  void standalone_runsUntilStopped() {
    assertThat(LaunchOptions.parse(List.of("standalone")).duration())
        .as("standalone duration")
        .isZero();
  }

  @Test
  void duration_acceptsUnitsAndIso() {
    assertThat(LaunchOptions.parseDuration("60s")).as("60s").isEqualTo(Duration.ofSeconds(60));
    assertThat(LaunchOptions.parseDuration("2m")).as("2m").isEqualTo(Duration.ofMinutes(2));
    assertThat(LaunchOptions.parseDuration("PT5S")).as("PT5S").isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void badDuration_namesTheOption() {
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--duration", "soon")))
        .as("--duration soon")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--duration");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--duration", "0s")))
        .as("--duration 0s")
        .hasMessageContaining("--duration");
  }

  @Test
  void unknownOption_isRejected() {
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--colour")))
        .as("unknown option")
        .hasMessageContaining("--colour");
  }

  @Test
  void missingValue_isRejected() {
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--kafka-port")))
        .as("option without value")
        .hasMessageContaining("needs a value");
  }
}
