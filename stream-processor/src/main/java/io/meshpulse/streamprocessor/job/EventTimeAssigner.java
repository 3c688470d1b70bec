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
 */
final class EventTimeAssigner implements SerializableTimestampAssigner<Inbound> {
  private static final long serialVersionUID = 1L;

  static final long NO_TIMESTAMP = Long.MIN_VALUE;

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
    if (sample.timestampMillis > now + maxFutureSkewMillis
        || sample.timestampMillis < now - maxAgeMillis) {
      return NO_TIMESTAMP;
    }
    return sample.timestampMillis;
  }
}
