package io.meshpulse.collector.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.collector.metrics.CollectorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicLaneTest {
  private static final long MS = 1_000_000L;

  private final TopicLane lane =
      new TopicLane(
          "records", new CollectorMetrics(new SimpleMeterRegistry()).producedMeter("records"));

  /** The waits of consecutive failed attempts, each made the moment the lane was due. */
  private List<Long> waitsOfFailures(int failures, long start) {
    List<Long> waits = new ArrayList<>();
    long now = start;
    for (int i = 0; i < failures; i++) {
      lane.backOff(now);
      long wait = lane.untilDue(now);
      waits.add(wait / MS);
      assertThat(lane.due(now + wait - 1)).as("due 1 ns early, attempt %d", i + 1).isFalse();
      now += wait;
      assertThat(lane.due(now)).as("due on time, attempt %d", i + 1).isTrue();
    }
    return waits;
  }

  @Test
  void failedAttempts_waitTwiceAsLongEachTime_upTo5Seconds() {
    assertThat(waitsOfFailures(10, 1_000 * MS))
        .as("ms before each retry")
        .containsExactly(50L, 100L, 200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L, 5_000L);
  }

  @Test
  void aSuccess_orAnAttemptThatSentSome_startsTheBackoffAgain() {
    waitsOfFailures(5, 0);
    lane.recovered();
    assertThat(waitsOfFailures(2, 0)).as("after a success").containsExactly(50L, 100L);

    waitsOfFailures(4, 0);
    lane.progressed();
    assertThat(waitsOfFailures(1, 0)).as("after an attempt that sent some").containsExactly(50L);
  }

  @Test
  void dueAndUntilDue_holdAcrossTheNanoTimeOverflow() {
    long nearMax = Long.MAX_VALUE - 10 * MS;
    lane.backOff(nearMax);
    assertThat(lane.due(nearMax + 49 * MS)).as("49 ms later, past the overflow").isFalse();
    assertThat(lane.due(nearMax + 50 * MS)).as("50 ms later").isTrue();
  }
}
