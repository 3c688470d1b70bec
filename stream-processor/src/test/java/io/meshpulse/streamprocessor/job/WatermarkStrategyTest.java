package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.streamprocessor.io.Inbound;
import io.meshpulse.streamprocessor.io.OutRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job's watermark strategy: event time, bounded out-of-orderness, future skew, idleness. */
class WatermarkStrategyTest {
  private static final long NOW = 1_700_000_000_000L;

  private final ManualClock activityClock = new ManualClock();
  private final List<Long> watermarks = new ArrayList<>();
  private boolean idle;
  private WatermarkGenerator<Inbound> generator;
  private TimestampAssigner<Inbound> assigner;

  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
          watermarks.add(watermark.getTimestamp());
          idle = false;
        }

        @Override
        public void markIdle() {
          idle = true;
        }

        @Override
        public void markActive() {
          idle = false;
        }
      };

  @BeforeEach
  void setUp() {
    Configuration conf = new Configuration();
    conf.set(HealthJobOptions.IDLENESS, Duration.ofSeconds(2));
    WatermarkStrategy<Inbound> strategy =
        HealthJob.watermarks(conf, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    WatermarkGeneratorSupplier.Context context =
        new WatermarkGeneratorSupplier.Context() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public RelativeClock getInputActivityClock() {
            return activityClock;
          }
        };
    generator = strategy.createWatermarkGenerator(context);
    assigner = strategy.createTimestampAssigner(() -> new UnregisteredMetricsGroup());
  }

  private void event(long ts) {
    Inbound in = Inbound.of(TestSamples.sample("reviews", 1, ts, 200, 10));
    generator.onEvent(in, assigner.extractTimestamp(in, -1), output);
  }

  @Test
  void eventTime_isTheRequestsCompletion_andTheWatermarkTrailsByTheOutOfOrdernessBound() {
    Inbound in = Inbound.of(TestSamples.sample("reviews", 1, NOW - 3_000, 200, 10));
    assertThat(assigner.extractTimestamp(in, NOW)).as("event time").isEqualTo(NOW - 3_000);
    event(NOW - 3_000);
    event(NOW - 4_000);
    generator.onPeriodicEmit(output);
    assertThat(watermarks)
        .as("watermark after max event time NOW-3000")
        .containsExactly(NOW - 3_000 - 500 - 1);
  }

  @Test
  void aRequestSlowerThanTheOutOfOrderness_isNotBehindTheWatermarkWhenItsRecordArrives() {
    event(NOW - 1_000);
    generator.onPeriodicEmit(output);
    long watermark = watermarks.get(watermarks.size() - 1);
    // Started 3 s ago and took 2.5 s (a timeout, say): its record could not exist before NOW - 500.
    Inbound slow = Inbound.of(TestSamples.sample("reviews", 1, NOW - 500, 504, 2_500));
    assertThat(slow.sample.latencyMillis).as("its duration").isEqualTo(2_500.0);
    assertThat(assigner.extractTimestamp(slow, NOW))
        .as("event time of a request that started 3 s ago, against watermark %d", watermark)
        .isEqualTo(NOW - 500)
        .isGreaterThan(watermark);
  }

  @Test
  void farFutureRecord_getsNoTimestamp_andCannotDragTheWatermarkAhead() {
    event(NOW - 1_000);
    event(NOW + Duration.ofHours(1).toMillis());
    generator.onPeriodicEmit(output);
    assertThat(watermarks).as("watermarks").containsExactly(NOW - 1_000 - 500 - 1);
    Inbound garbage = Inbound.rejected(new OutRecord());
    assertThat(assigner.extractTimestamp(garbage, NOW))
        .as("dead letters")
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void silentPartition_isMarkedIdle_afterTheIdleTimeout_andActiveAgainOnTheNextRecord() {
    event(NOW - 1_000);
    generator.onPeriodicEmit(output);
    long silentMillis = 0;
    while (!idle && silentMillis < 10_000) {
      activityClock.advanceTime(Duration.ofMillis(100)); // the job's watermark interval
      silentMillis += 100;
      generator.onPeriodicEmit(output);
    }
    assertThat(silentMillis)
        .as("silence until marked idle (timeout 2 s)")
        .isBetween(2_000L, 2_200L);
    event(NOW - 500);
    generator.onPeriodicEmit(output);
    assertThat(idle).as("idle after a new record").isFalse();
    assertThat(watermarks).as("watermarks").last().isEqualTo(NOW - 500 - 500 - 1);
  }

  @Test
  void partitionReceivingOnlyRecordsWithoutATimestamp_isMarkedIdle_likeASilentOne() {
    event(NOW - 1_000);
    generator.onPeriodicEmit(output);
    assertThat(idle).as("idle after a timed record").isFalse();
    long elapsedMillis = 0;
    while (!idle && elapsedMillis < 10_000) {
      activityClock.advanceTime(Duration.ofMillis(100));
      elapsedMillis += 100;
      event(NOW + Duration.ofHours(1).toMillis()); // too new: no timestamp
      Inbound deadLetter = Inbound.rejected(new OutRecord());
      generator.onEvent(deadLetter, assigner.extractTimestamp(deadLetter, -1), output);
      generator.onPeriodicEmit(output);
    }
    assertThat(elapsedMillis)
        .as("time until marked idle while only untimed records arrive (timeout 2 s)")
        .isBetween(2_000L, 2_200L);
    assertThat(watermarks).as("watermarks").containsOnly(NOW - 1_000 - 500 - 1);
  }

  @Test
  void partitionReceivingOnlyRecordsOlderThanTheMaxAge_isMarkedIdle_andHoldsNoWatermarkBack() {
    event(NOW - 1_000);
    generator.onPeriodicEmit(output);
    // A proxy whose clock is 10 minutes behind (max-record-age 5 min): RecordGate drops its
    // records; they must not keep the partition active at their event time either.
    Inbound behind = Inbound.of(TestSamples.sample("reviews", 1, NOW - 600_000, 200, 10));
    assertThat(assigner.extractTimestamp(behind, -1)).as("no timestamp").isEqualTo(Long.MIN_VALUE);
    long elapsedMillis = 0;
    while (!idle && elapsedMillis < 10_000) {
      activityClock.advanceTime(Duration.ofMillis(100));
      elapsedMillis += 100;
      event(NOW - 600_000);
      generator.onPeriodicEmit(output);
    }
    assertThat(elapsedMillis)
        .as("time until marked idle while only too-old records arrive (timeout 2 s)")
        .isBetween(2_000L, 2_200L);
    assertThat(watermarks).as("watermarks").containsOnly(NOW - 1_000 - 500 - 1);
  }

  @Test
  void partitionReadingABacklogOlderThanTheMaxAge_staysActive_andHoldsItsWatermark() {
    event(NOW - 1_000);
    generator.onPeriodicEmit(output);
    // The job was down for 10 minutes: the records are that old, and so is their Kafka timestamp.
    Inbound backlog = Inbound.of(TestSamples.sample("reviews", 1, NOW - 600_000, 200, 10));
    assertThat(assigner.extractTimestamp(backlog, NOW - 599_990))
        .as("a backlog's record")
        .isEqualTo(EventTimeAssigner.BACKLOG);
    assertThat(assigner.extractTimestamp(backlog, NOW - 1_000))
        .as("written to Kafka just now: a proxy's slow clock")
        .isEqualTo(EventTimeAssigner.NO_TIMESTAMP);
    for (long elapsedMillis = 0; elapsedMillis < 5_000; elapsedMillis += 100) {
      activityClock.advanceTime(Duration.ofMillis(100));
      generator.onEvent(backlog, assigner.extractTimestamp(backlog, NOW - 599_990), output);
      generator.onPeriodicEmit(output);
    }
    assertThat(idle).as("idle after 5 s of backlog (timeout 2 s)").isFalse();
    assertThat(watermarks).as("watermarks").containsOnly(NOW - 1_000 - 500 - 1);
  }
}
