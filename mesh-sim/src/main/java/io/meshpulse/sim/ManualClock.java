package io.meshpulse.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The clock of a virtual-time run: it moves only when the simulation advances it. */
final class ManualClock extends Clock {
  private volatile long millis;

  ManualClock(long startMillis) {
    this.millis = startMillis;
  }

  void advance(long deltaMillis) {
    millis += deltaMillis;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** The same virtual time, seen in another zone. */
  @Override
  public Clock withZone(ZoneId zone) {
    ManualClock time = this;
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return zone;
      }

      @Override
      public Clock withZone(ZoneId other) {
        return time.withZone(other);
      }

      @Override
      public long millis() {
        return time.millis();
      }

      @Override
      public Instant instant() {
        return time.instant();
      }
    };
  }
}
