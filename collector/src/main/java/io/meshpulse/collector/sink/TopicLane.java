package io.meshpulse.collector.sink;

import io.meshpulse.collector.metrics.CollectorMetrics;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One topic as the sink thread sees it: its meters, and the records set aside while the producer
 * cannot take records of this topic (missing metadata, a full producer buffer), in their original
 * order, with the time of the next attempt; whether the producer is known to have the topic's
 * metadata, and the look-up of it under way. Backing off one topic leaves the others flowing. Used
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
  private boolean metadataKnown;
  private @Nullable CompletableFuture<Optional<RuntimeException>> lookUp;

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

  /**
   * Whether a look-up found the topic's metadata since the last send the producer could not take.
   */
  boolean metadataKnown() {
    return metadataKnown;
  }

  /** The producer could not take a record: look the metadata up before the next send. */
  void forgetMetadata() {
    metadataKnown = false;
  }

  void metadataFound() {
    metadataKnown = true;
  }

  boolean lookingUp() {
    return lookUp != null;
  }

  void lookingUp(CompletableFuture<Optional<RuntimeException>> lookUp) {
    this.lookUp = lookUp;
  }

  /**
   * The outcome of the look-up under way once it is done (empty: the metadata was found; else the
   * failure), which ends it; null while it runs or when none does.
   */
  @Nullable Optional<RuntimeException> lookedUp() {
    CompletableFuture<Optional<RuntimeException>> running = lookUp;
    if (running == null || !running.isDone()) {
      return null;
    }
    lookUp = null;
    return running.join();
  }

  /** An attempt sent some records: its failure backs off from the first step again. */
  void progressed() {
    backoffNanos = 0;
  }

  /** An attempt succeeded: the next failure starts the backoff again from its first step. */
  void recovered() {
    backoffNanos = 0;
    unexpectedInARow = 0;
  }
}
