package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void aZonedView_showsTheSameVirtualTime_andMovesWithIt() {
    ManualClock clock = new ManualClock(1_000);
    Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    assertThat(paris.getZone()).as("zone").isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(paris.millis()).as("same time").isEqualTo(1_000);
    clock.advance(250);
    assertThat(paris.instant().toEpochMilli()).as("moves with the virtual clock").isEqualTo(1_250);
    assertThat(paris.withZone(ZoneId.of("UTC")).millis()).as("re-zoned view").isEqualTo(1_250);
  }
}
