package io.meshpulse.collector.sink;

import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.logging.LogLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the {@link RecordBuffer} into Kafka on one thread. A record leaves the buffer only when
 * Kafka acknowledges it or rejects it for good (for example a record over the broker's size limit:
 * dropped, counted with reason {@code kafka_rejected}).
 *
 * <p>When the producer cannot take a record of a topic now (its metadata is missing, its buffer is
 * full: the producer then calls the callback at once, on this thread, and throws nothing), that
 * record and the later ones of its topic are set aside in their order ({@link TopicLane}) and the
 * topic is tried again after a backoff that doubles up to 5 s; the other topic keeps flowing. A
 * send waits up to {@code max.block.ms} for a topic whose metadata the producer lacks, which would
 * stop every topic on this thread: records of a topic are sent only once a {@link MetadataProbe}
 * look-up, on a thread of its own, found its metadata, first for a topic not sent to yet, then
 * again as the retry of a topic whose send the producer could not take. A failed look-up is a
 * failed attempt, with the same backoff. A record whose delivery failed later (delivery timeout) is
 * set aside the same way. An unexpected exception from the producer is counted ({@code
 * meshpulse_collector_sink_errors_total}), logged, and treated like a record the producer could not
 * take: the sink keeps running.
 */
public final class KafkaSink implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(KafkaSink.class);
  private static final int TAKE_BATCH = 1024;
  private static final long IDLE_WAIT_NANOS = 100_000_000L;
  // How often the sink looks whether a look-up of a topic's metadata has finished.
  private static final long LOOK_UP_POLL_NANOS = 10_000_000L;
  private static final Duration JOIN_GRACE = Duration.ofSeconds(5);
  // A record whose send throws something Kafka does not is tried this often, then dropped.
  static final int UNEXPECTED_ATTEMPTS = 3;

  private final RecordBuffer buffer;
  private final RecordProducer producer;
  private final MetadataProbe probe;
  private final CollectorMetrics metrics;
  private final Duration shutdownTimeout;
  private final Thread thread;
  private final LogLimiter logLimiter = new LogLimiter(Duration.ofSeconds(10), System::nanoTime);
  // Deliveries that failed on the producer's thread, for the sink thread to set aside in order.
  private final ConcurrentLinkedQueue<OutgoingRecord> failed = new ConcurrentLinkedQueue<>();
  // Only the sink thread uses these.
  private final Map<String, TopicLane> lanes = new LinkedHashMap<>();
  private @Nullable TopicLane lastLane;
  private boolean sendFailedHere;
  private volatile boolean running = true;
  private final Runnable stopped;
  // Set once close() stops the sink: failures after it are the producer closing, not rejections.
  private volatile boolean closing;
  private final AtomicBoolean closed = new AtomicBoolean();

  public KafkaSink(
      RecordBuffer buffer,
      Producer<byte[], byte[]> producer,
      CollectorMetrics metrics,
      Duration shutdownTimeout) {
    this(buffer, producer, metrics, shutdownTimeout, () -> {});
  }

  /**
   * @param stopped called on the sink's thread if an {@link Error} (a native codec that cannot
   *     load, memory exhausted) ends it: the collector can no longer write to Kafka, and the
   *     process should be restarted
   */
  public KafkaSink(
      RecordBuffer buffer,
      Producer<byte[], byte[]> producer,
      CollectorMetrics metrics,
      Duration shutdownTimeout,
      Runnable stopped) {
    this(buffer, RecordProducer.of(producer), metrics, shutdownTimeout, stopped);
  }

  KafkaSink(
      RecordBuffer buffer,
      RecordProducer producer,
      CollectorMetrics metrics,
      Duration shutdownTimeout,
      Runnable stopped) {
    this.stopped = stopped;
    this.buffer = buffer;
    this.producer = producer;
    this.probe = new MetadataProbe(producer);
    this.metrics = metrics;
    this.shutdownTimeout = shutdownTimeout;
    this.thread = new Thread(this::run, "meshpulse-kafka-sink");
    this.thread.setDaemon(true);
    metrics.sinkGauge(() -> thread.isAlive() ? 1 : 0);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        try {
          cycle();
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // A defect here must not end the thread: the buffer would fill for good.
          unexpected("-", e);
          idle(IDLE_WAIT_NANOS);
        }
      }
    } catch (Error e) {
      // Nothing here can go on: the buffer fills and the streams stay paused. Say so, and let
      // the process be restarted; records still held are counted at shutdown.
      logger.error(
          "kafka sink stopped: nothing more is written to kafka until the collector restarts"
              + " records={}",
          buffer.records(),
          e);
      stopped.run();
      throw e;
    }
  }

  /** Retries the topics that are due, then sends what the buffer holds. */
  private void cycle() throws InterruptedException {
    drainFailed();
    long wait = IDLE_WAIT_NANOS;
    for (TopicLane lane : lanes.values()) {
      if (lane.lookingUp()) {
        if (lookedUp(lane)) {
          sendHeld(lane);
        }
      } else if (lane.holding() && lane.due(System.nanoTime())) {
        if (lane.metadataKnown()) {
          sendHeld(lane);
        } else {
          lookUp(lane);
        }
      }
      if (lane.lookingUp()) {
        wait = Math.min(wait, LOOK_UP_POLL_NANOS);
      } else if (lane.holding()) {
        wait = Math.min(wait, lane.untilDue(System.nanoTime()));
      }
    }
    if (!running) {
      return;
    }
    List<OutgoingRecord> batch = buffer.take(TAKE_BATCH, Duration.ofNanos(Math.max(wait, 1)));
    for (int i = 0; i < batch.size(); i++) {
      OutgoingRecord record = batch.get(i);
      TopicLane lane = lane(record.topic());
      if (lane.holding() || !running) {
        lane.hold(record);
      } else if (!lane.metadataKnown()) {
        // A topic not sent to yet: its records wait for the look-up of its metadata.
        lane.hold(record);
        lookUp(lane);
      } else if (send(record, lane)) {
        lane.recovered();
      } else {
        lane.hold(record);
        lane.backOff(System.nanoTime());
      }
    }
  }

  /**
   * Sends a topic's records set aside, in order, until one cannot be sent. An attempt that sent
   * some is not a failure: the backoff starts again from its first step, so a slow broker whose
   * producer buffer takes a few records at a time is fed as it drains, not every 5 s.
   */
  private void sendHeld(TopicLane lane) {
    boolean progressed = false;
    for (OutgoingRecord record = lane.next(); record != null; record = lane.next()) {
      if (!running || !send(record, lane)) {
        if (progressed) {
          lane.progressed();
        }
        lane.backOff(System.nanoTime());
        return;
      }
      lane.sent();
      progressed = true;
    }
    lane.recovered();
  }

  private void lookUp(TopicLane lane) {
    if (!lane.lookingUp()) {
      lane.lookingUp(probe.lookUp(lane.topic));
    }
  }

  /**
   * Whether the look-up of a lane's metadata is done and its records may be sent. Only a retriable
   * failure (the metadata did not come within {@code max.block.ms}) holds them back, as a failed
   * attempt; anything else is left to {@code send}, which handles it as it would without the
   * look-up (an authorization failure rejects the records, for example).
   */
  private boolean lookedUp(TopicLane lane) {
    Optional<RuntimeException> outcome = lane.lookedUp();
    if (outcome == null) {
      return false;
    }
    if (outcome.isPresent() && outcome.get() instanceof RetriableException) {
      retried(lane.topic, lane.meters, outcome.get());
      lane.backOff(System.nanoTime());
      return false;
    }
    lane.metadataFound();
    return true;
  }

  /** Hands one record to the producer; false when it could not take it now. */
  private boolean send(OutgoingRecord record, TopicLane lane) {
    long sentAt = System.nanoTime();
    CollectorMetrics.Produced meters = lane.meters;
    sendFailedHere = false;
    try {
      producer.send(
          new ProducerRecord<>(
              record.topic(), null, record.admittedMillis(), record.key(), record.value()),
          (metadata, exception) -> completed(record, meters, sentAt, exception));
    } catch (InterruptException e) {
      // close() interrupts a sink stuck in send: the record stays held, counted at shutdown.
      running = false;
      return false;
    } catch (RetriableException e) {
      lane.forgetMetadata();
      retried(record.topic(), meters, e);
      return false;
    } catch (KafkaException e) {
      rejected(record, e);
      return true;
    } catch (RuntimeException e) {
      unexpected(record.topic(), e);
      if (lane.unexpected() < UNEXPECTED_ATTEMPTS) {
        return false;
      }
      // The same record failed every time: drop it, so it cannot hold its topic for good.
      metrics.dropped(CollectorMetrics.DROP_SINK_ERROR, 1);
      buffer.release(record);
      return true;
    }
    if (sendFailedHere) {
      lane.forgetMetadata();
      return false;
    }
    return true;
  }

  /** The producer's callback: on its I/O thread, or on this thread when send failed at once. */
  private void completed(
      OutgoingRecord record,
      CollectorMetrics.Produced meters,
      long sentAt,
      @Nullable Exception exception) {
    if (exception == null) {
      meters.record(System.nanoTime() - sentAt);
      buffer.release(record);
    } else if (exception instanceof RetriableException && Thread.currentThread() == thread) {
      // The producer could not take the record (no metadata, buffer full): send() sets it aside.
      sendFailedHere = true;
      retried(record.topic(), meters, exception);
    } else if (closing) {
      // Aborted by the producer's close: the record stays held and is counted as a shutdown drop.
      logger.debug("record not delivered before shutdown topic={}", record.topic());
    } else if (exception instanceof RetriableException) {
      retried(record.topic(), meters, exception);
      failed.add(record);
    } else {
      rejected(record, exception);
    }
  }

  private void retried(String topic, CollectorMetrics.Produced meters, Exception e) {
    meters.retried();
    long suppressed = logLimiter.admit(List.of(topic, e.getClass()));
    if (suppressed >= 0) {
      logger.warn(
          "kafka cannot take records now, retrying with backoff topic={} error={} suppressed={}",
          topic,
          e.toString(),
          suppressed);
    }
  }

  private void rejected(OutgoingRecord record, Exception e) {
    metrics.dropped(CollectorMetrics.DROP_KAFKA_REJECTED, 1);
    buffer.release(record);
    long suppressed = logLimiter.admit(List.of(record.topic(), e.getClass()));
    if (suppressed >= 0) {
      logger.warn("record rejected by kafka topic={} suppressed={}", record.topic(), suppressed, e);
    }
  }

  private void unexpected(String topic, RuntimeException e) {
    metrics.sinkError(e.getClass().getSimpleName());
    long suppressed = logLimiter.admit(List.of(topic, e.getClass()));
    if (suppressed >= 0) {
      logger.warn(
          "kafka sink failed, retrying with backoff topic={} suppressed={}", topic, suppressed, e);
    }
  }

  /** Sets aside, in their order and ahead of the records not yet sent, failed deliveries. */
  private void drainFailed() {
    if (failed.isEmpty()) {
      return;
    }
    Map<TopicLane, List<OutgoingRecord>> byLane = new HashMap<>();
    for (OutgoingRecord record = failed.poll(); record != null; record = failed.poll()) {
      byLane.computeIfAbsent(lane(record.topic()), l -> new ArrayList<>()).add(record);
    }
    long now = System.nanoTime();
    byLane.forEach(
        (lane, records) -> {
          lane.holdFirst(records);
          lane.backOff(now);
        });
  }

  private TopicLane lane(String topic) {
    TopicLane lane = lastLane;
    if (lane != null && lane.topic.equals(topic)) {
      return lane;
    }
    lane = lanes.computeIfAbsent(topic, t -> new TopicLane(t, metrics.producedMeter(t)));
    lastLane = lane;
    return lane;
  }

  private void idle(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      running = false;
    }
  }

  /**
   * Waits for the buffer to drain while the sink runs (up to the shutdown timeout), stops and joins
   * the sink, closes the producer with the time left (records it still delivers are counted as
   * produced), and then counts every record still held as dropped with reason {@code shutdown}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    try {
      buffer.awaitEmpty(shutdownTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running = false;
    join(left(deadline).plus(JOIN_GRACE));
    if (thread.isAlive()) {
      logger.warn("kafka sink did not stop in time, interrupting it");
      thread.interrupt();
      join(JOIN_GRACE);
    }
    probe.close();
    closing = true;
    producer.close(left(deadline));
    // The producer calls every callback before its close returns: what is held now is lost.
    long held = buffer.records();
    if (held > 0) {
      logger.warn("shutting down with records not acknowledged by kafka records={}", held);
      metrics.dropped(CollectorMetrics.DROP_SHUTDOWN, (int) Math.min(held, Integer.MAX_VALUE));
    }
  }

  private void join(Duration timeout) {
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }
}
