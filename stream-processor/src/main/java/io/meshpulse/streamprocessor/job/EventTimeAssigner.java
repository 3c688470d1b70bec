package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.io.Inbound;
import io.meshpulse.streamprocessor.io.Sample;
import java.time.Clock;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * Event time = when the request completed (start time + duration, see {@link Sample}). Records too
 * far in the future get no timestamp ({@link Long#MIN_VALUE}) so they cannot drag the watermark
 * ahead; {@link RecordGate} drops and counts them. Dead letters get no timestamp either.
 */
final class EventTimeAssigner implements SerializableTimestampAssigner<Inbound> {
  private static final long serialVersionUID = 1L;

  static final long NO_TIMESTAMP = Long.MIN_VALUE;

  private final Clock clock;
  private final long maxFutureSkewMillis;

  EventTimeAssigner(Clock clock, long maxFutureSkewMillis) {
    this.clock = clock;
    this.maxFutureSkewMillis = maxFutureSkewMillis;
  }

  @Override
  public long extractTimestamp(Inbound element, long recordTimestamp) {
    Sample sample = element.sample;
    if (sample == null || sample.timestampMillis > clock.millis() + maxFutureSkewMillis) {
      return NO_TIMESTAMP;
    }
    return sample.timestampMillis;
  }
}
