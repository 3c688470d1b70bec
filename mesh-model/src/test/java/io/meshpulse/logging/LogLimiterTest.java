package io.meshpulse.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimiterTest {
  private final AtomicLong now = new AtomicLong();
  private final LogLimiter limiter = new LogLimiter(Duration.ofSeconds(10), now::get);

  @Test
  void aKey_logsOncePerIntervalAndReportsHowManyWereHeldBack() {
    Object key = List.of("mesh.access-records.v1", IllegalStateException.class);

    long first = limiter.admit(key);
    long second = limiter.admit(key);
    long third = limiter.admit(key);
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    long afterInterval = limiter.admit(key);

    assertThat(first).as("first line logged, none held back").isZero();
    assertThat(second).as("second held back").isEqualTo(-1);
    assertThat(third).as("third held back").isEqualTo(-1);
    assertThat(afterInterval).as("next interval: logged with two held back").isEqualTo(2);
  }

  @Test
  void differentKeys_areLimitedApart() {
    limiter.admit(List.of("a", IllegalStateException.class));

    assertThat(limiter.admit(List.of("b", IllegalStateException.class))).as("other topic").isZero();
    assertThat(limiter.admit(List.of("a", IllegalArgumentException.class)))
        .as("other exception class")
        .isZero();
  }
}
