package io.meshpulse.collector.sink;

import io.meshpulse.collector.metrics.CollectorMetrics;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One topic as the sink thread sees it: its meters, and the records set aside while the producer
 * cannot take records of this topic (missing metadata, a full producer buffer), in their original
 * order, with the time of the next attempt. Backing off one topic leaves the others flowing. Used
 * by the sink thread only.
 */
final class TopicLane {
  static final long FIRST_BACKOFF_NANOS = 50_000_000L;
  static final long MAX_BACKOFF_NANOS = 5_000_000_000L;

  final String topic;
  final CollectorMetrics.Produced meters;
  private final ArrayDeque<OutgoingRecord> held = new ArrayDeque<>();
  private long backoffNanos;
  private long retryAt;
  private int unexpectedInARow;

  TopicLane(String topic, CollectorMetrics.Produced meters) {
    this.topic = topic;
    this.meters = meters;
  }

  /** Whether records of this topic are set aside; new ones then queue behind them. */
  boolean holding() {
    return !held.isEmpty();
  }

  boolean due(long now) {
    return now - retryAt >= 0;
  }

  /** Nanoseconds until the next attempt (0 when due). */
  long untilDue(long now) {
    return Math.max(0, retryAt - now);
  }

  void hold(OutgoingRecord record) {
    held.addLast(record);
  }

  /** Puts records back ahead of the held ones, keeping their order (failed deliveries). */
  void holdFirst(List<OutgoingRecord> records) {
    for (int i = records.size() - 1; i >= 0; i--) {
      held.addFirst(records.get(i));
    }
  }

  @Nullable OutgoingRecord next() {
    return held.peekFirst();
  }

  void sent() {
    held.pollFirst();
    unexpectedInARow = 0;
  }

  /** Counts an unexpected failure of the record at hand; returns how many in a row. */
  int unexpected() {
    return ++unexpectedInARow;
  }

  /** An attempt failed: the next one waits twice as long as the last, up to the maximum. */
  void backOff(long now) {
    backoffNanos =
        backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
    retryAt = now + backoffNanos;
  }

  /** An attempt succeeded: the next failure starts the backoff again from its first step. */
  void recovered() {
    backoffNanos = 0;
    unexpectedInARow = 0;
  }
}
