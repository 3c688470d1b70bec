package io.meshpulse.collector.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecordBufferTest {
  private final RecordBuffer buffer = new RecordBuffer(new BufferLimits(3, 10_000, 5, 100_000));

  @Test
  void waitersResume_onlyOnceAcknowledgementsBringTheBufferUnderItsSoftLimit() throws Exception {
    assertThat(buffer.offer(records(3))).as("admitted").isTrue();
    AtomicInteger resumed = new AtomicInteger();
    buffer.whenRoom(resumed::incrementAndGet);
    List<OutgoingRecord> taken = buffer.take(10, Duration.ZERO);

    assertThat(resumed.get()).as("paused while full").isZero();
    assertThat(buffer.records()).as("taken records still count until acknowledged").isEqualTo(3);

    buffer.release(taken.get(0));

    assertThat(resumed.get()).as("resumed once under the limit").isEqualTo(1);
    assertThat(buffer.records()).as("records").isEqualTo(2);
  }

  @Test
  void whenRoom_runsAtOnceWhenThereIsRoom() {
    AtomicInteger resumed = new AtomicInteger();

    assertThat(buffer.whenRoom(resumed::incrementAndGet)).as("ran now").isTrue();

    assertThat(resumed.get()).as("resumed").isEqualTo(1);
  }

  @Test
  void parkedStreams_resumeTogetherOnlyOnceTheBufferIsASixteenthBelowItsSoftLimit()
      throws Exception {
    RecordBuffer large = new RecordBuffer(new BufferLimits(64, 1_000_000, 1_000, 10_000_000));
    large.offer(records(64));
    AtomicInteger resumed = new AtomicInteger();
    assertThat(large.whenRoom(resumed::incrementAndGet)).as("first parks").isFalse();
    assertThat(large.whenRoom(resumed::incrementAndGet)).as("second parks").isFalse();
    List<OutgoingRecord> taken = large.take(64, Duration.ZERO);

    for (int i = 0; i < 3; i++) {
      large.release(taken.get(i));
    }
    assertThat(resumed.get()).as("61 of 64 held: still parked").isZero();
    assertThat(large.whenRoom(resumed::incrementAndGet))
        .as("a third stream waits behind the parked ones although under the soft limit")
        .isFalse();
    assertThat(large.waiting()).as("waiting").isEqualTo(3);

    large.release(taken.get(3));

    assertThat(resumed.get()).as("60 held = 64 - 64/16: all three resume").isEqualTo(3);
    assertThat(large.waiting()).as("waiting").isZero();
    assertThat(large.whenRoom(resumed::incrementAndGet)).as("runs now again").isTrue();
  }

  @Test
  void releasesRacingParkingStreams_neverLeaveAStreamParkedInAnEmptyBuffer() throws Exception {
    for (int attempt = 0; attempt < 2_000; attempt++) {
      RecordBuffer small = new RecordBuffer(new BufferLimits(1, 10_000, 10, 100_000));
      small.offer(records(1));
      List<OutgoingRecord> taken = small.take(1, Duration.ZERO);
      AtomicInteger resumed = new AtomicInteger();
      Thread releaser = new Thread(() -> small.release(taken.get(0)));
      releaser.start();
      small.whenRoom(resumed::incrementAndGet);
      releaser.join();

      assertThat(resumed.get()).as("attempt %d: resumed exactly once", attempt).isEqualTo(1);
      assertThat(small.waiting()).as("attempt %d: nobody parked", attempt).isZero();
    }
  }

  @Test
  void aCancelledWaiter_isForgottenAndNeverRun() throws Exception {
    buffer.offer(records(3));
    AtomicInteger resumed = new AtomicInteger();
    Runnable resume = resumed::incrementAndGet;
    buffer.whenRoom(resume);

    buffer.cancel(resume);
    for (OutgoingRecord record : buffer.take(10, Duration.ZERO)) {
      buffer.release(record);
    }

    assertThat(buffer.waiting()).as("waiting").isZero();
    assertThat(resumed.get()).as("the cancelled callback never ran").isZero();
    assertThat(buffer.whenRoom(resumed::incrementAndGet)).as("a new stream runs now").isTrue();
  }

  @Test
  void aBatchPastTheHardLimit_isRejectedWhole() {
    buffer.offer(records(4));

    assertThat(buffer.offer(records(2))).as("admitted").isFalse();
    assertThat(buffer.records()).as("records").isEqualTo(4);
  }

  @Test
  void bytesCount_againstTheSoftLimitToo() {
    RecordBuffer small = new RecordBuffer(new BufferLimits(1_000, 200, 2_000, 100_000));
    small.offer(List.of(new OutgoingRecord("t", new byte[10], new byte[200], 0L)));
    AtomicInteger resumed = new AtomicInteger();

    small.whenRoom(resumed::incrementAndGet);

    assertThat(resumed.get()).as("paused on bytes").isZero();
    assertThat(small.bytes()).as("bytes").isEqualTo(274);
  }

  @Test
  void hardLimitsBelowSoftLimits_areRejected() {
    assertThatThrownBy(() -> new BufferLimits(10, 10, 5, 10))
        .as("hard below soft")
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<OutgoingRecord> records(int n) {
    List<OutgoingRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(new OutgoingRecord("t", new byte[] {(byte) i}, new byte[] {1, 2, 3}, 0L));
    }
    return records;
  }
}
