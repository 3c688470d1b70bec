package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.io.Inbound;
import io.meshpulse.streamprocessor.io.Sample;
import java.time.Clock;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * Event time = when the request completed (start time + duration, see {@link Sample}). Records too
 * far in the future get no timestamp ({@link Long#MIN_VALUE}) so they cannot drag the watermark
 * ahead, and records older than {@code max-record-age} none either, so that a partition fed only by
 * a proxy whose clock is far behind cannot hold every partition's watermark back (it goes idle
 * instead); {@link RecordGate} drops and counts both. Dead letters get no timestamp either.
 *
 * <p>A record older than {@code max-record-age} that was also written to Kafka that long ago is not
 * a slow clock but a backlog (a job that was down, or started from the earliest offsets): it gets
 * {@link #BACKLOG}, which keeps its partition active without moving its watermark. Marked idle, a
 * partition still reading its backlog would let the others' watermark run ahead to now, and the
 * records of the last {@code max-record-age} it then reaches would all be late.
 */
final class EventTimeAssigner implements SerializableTimestampAssigner<Inbound> {
  private static final long serialVersionUID = 1L;

  static final long NO_TIMESTAMP = Long.MIN_VALUE;

  /** No timestamp, but its partition's activity: a record of a backlog older than the max age. */
  static final long BACKLOG = Long.MIN_VALUE + 1;

  private final Clock clock;
  private final long maxFutureSkewMillis;
  private final long maxAgeMillis;

  EventTimeAssigner(Clock clock, long maxFutureSkewMillis, long maxAgeMillis) {
    this.clock = clock;
    this.maxFutureSkewMillis = maxFutureSkewMillis;
    this.maxAgeMillis = maxAgeMillis;
  }

  @Override
  public long extractTimestamp(Inbound element, long recordTimestamp) {
    Sample sample = element.sample;
    if (sample == null) {
      return NO_TIMESTAMP;
    }
    long now = clock.millis();
    if (sample.timestampMillis > now + maxFutureSkewMillis) {
      return NO_TIMESTAMP;
    }
    if (sample.timestampMillis < now - maxAgeMillis) {
      // recordTimestamp: the Kafka record's (the collector's clock when it admitted it), negative
      // when unknown.
      return recordTimestamp >= 0 && recordTimestamp < now - maxAgeMillis ? BACKLOG : NO_TIMESTAMP;
    }
    return sample.timestampMillis;
  }
}
