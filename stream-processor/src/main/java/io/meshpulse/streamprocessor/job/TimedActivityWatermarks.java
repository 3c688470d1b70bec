package io.meshpulse.streamprocessor.job;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Passes only records with a timestamp to the wrapped generator. Flink's idleness detection counts
 * every record as activity, so a partition that receives only records without a timestamp (dead
 * letters, records too far in the future: {@link EventTimeAssigner#NO_TIMESTAMP}) would never be
 * marked idle and would hold every partition's watermark at its last real event time. Such records
 * cannot move a bounded-out-of-orderness watermark anyway, so nothing else changes. Records of a
 * backlog ({@link EventTimeAssigner#BACKLOG}) count as activity without a timestamp: the partition
 * is busy catching up, and holds the watermark where its last timed record left it.
 */
final class TimedActivityWatermarks<T> implements WatermarkGenerator<T> {
  private final WatermarkGenerator<T> delegate;

  TimedActivityWatermarks(WatermarkGenerator<T> delegate) {
    this.delegate = delegate;
  }

  @Override
  public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
    if (eventTimestamp == EventTimeAssigner.BACKLOG) {
      // Activity for the idleness timer; Long.MIN_VALUE moves no bounded-out-of-orderness maximum.
      delegate.onEvent(event, Long.MIN_VALUE, output);
    } else if (eventTimestamp != EventTimeAssigner.NO_TIMESTAMP) {
      delegate.onEvent(event, eventTimestamp, output);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    delegate.onPeriodicEmit(output);
  }
}
