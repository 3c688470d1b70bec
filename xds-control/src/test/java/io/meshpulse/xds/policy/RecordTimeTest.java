package io.meshpulse.xds.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.model.v1.Window;
import org.junit.jupiter.api.Test;

class RecordTimeTest {
  private static final Window WINDOW =
      Window.newBuilder().setStartUnixMillis(50_000).setEndUnixMillis(60_000).build();

  @Test
  void aRecordSpeaksOfItsWindowsEnd_notOfWhenItWasEmitted() {
    assertThat(
            RecordTime.millis(
                EndpointHealth.newBuilder()
                    .setWindow(WINDOW)
                    .setEmittedUnixMillis(120_000)
                    .build()))
        .isEqualTo(60_000);
    assertThat(
            RecordTime.millis(
                ServiceHealth.newBuilder().setWindow(WINDOW).setEmittedUnixMillis(120_000).build()))
        .isEqualTo(60_000);
  }

  @Test
  void withoutAWindow_theEmissionTimeCounts_andWithoutEither_zero() {
    assertThat(RecordTime.millis(EndpointHealth.newBuilder().setEmittedUnixMillis(7).build()))
        .isEqualTo(7);
    assertThat(
            RecordTime.millis(
                ServiceHealth.newBuilder()
                    .setWindow(Window.getDefaultInstance())
                    .setEmittedUnixMillis(7)
                    .build()))
        .as("an empty window")
        .isEqualTo(7);
    assertThat(RecordTime.millis(EndpointHealth.getDefaultInstance())).isZero();
  }
}
