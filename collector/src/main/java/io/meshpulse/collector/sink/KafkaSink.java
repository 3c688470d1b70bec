package io.meshpulse.collector.sink;

import io.meshpulse.collector.metrics.CollectorMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the {@link RecordBuffer} into Kafka on one thread. A record leaves the buffer only when
 * Kafka acknowledges it; a retriable failure (broker unreachable, delivery timeout) puts it back at
 * the head of the buffer; a non-retriable one (for example a record over the broker's size limit)
 * drops it, counted with reason {@code kafka_rejected}.
 */
public final class KafkaSink implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(KafkaSink.class);
  private static final int TAKE_BATCH = 1024;

  private final RecordBuffer buffer;
  private final Producer<byte[], byte[]> producer;
  private final CollectorMetrics metrics;
  private final Duration shutdownTimeout;
  private final Thread thread;
  // Only the sink thread uses it.
  private final Map<String, CollectorMetrics.Produced> producedMeters = new HashMap<>();
  private String lastTopic = "";
  private CollectorMetrics.@Nullable Produced lastProduced;
  private volatile boolean running = true;

  public KafkaSink(
      RecordBuffer buffer,
      Producer<byte[], byte[]> producer,
      CollectorMetrics metrics,
      Duration shutdownTimeout) {
    this.buffer = buffer;
    this.producer = producer;
    this.metrics = metrics;
    this.shutdownTimeout = shutdownTimeout;
    this.thread = new Thread(this::run, "meshpulse-kafka-sink");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    while (running) {
      List<OutgoingRecord> batch;
      try {
        batch = buffer.take(TAKE_BATCH, Duration.ofMillis(100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        if (!send(batch.get(i))) {
          // The producer's own buffer is full (broker unreachable): give the rest back, in order.
          for (int j = batch.size() - 1; j >= i; j--) {
            buffer.requeue(batch.get(j));
          }
          pause();
          break;
        }
      }
    }
  }

  /** Hands one record to the producer; false when it could not take it now. */
  private boolean send(OutgoingRecord record) {
    long sentAt = System.nanoTime();
    // Resolved here, on the sink thread, so the acknowledgement only counts and times.
    CollectorMetrics.Produced produced = producedMeter(record.topic());
    try {
      producer.send(
          new ProducerRecord<>(record.topic(), record.key(), record.value()),
          (metadata, exception) -> {
            if (exception == null) {
              produced.record(System.nanoTime() - sentAt);
              buffer.release(record);
            } else if (exception instanceof RetriableException) {
              metrics.produceRetried();
              buffer.requeue(record);
            } else {
              logger.warn("record rejected by kafka topic={}", record.topic(), exception);
              metrics.dropped(CollectorMetrics.DROP_KAFKA_REJECTED, 1);
              buffer.release(record);
            }
          });
      return true;
    } catch (RetriableException e) {
      logger.debug("kafka producer cannot take records now: {}", e.toString());
      return false;
    } catch (KafkaException e) {
      logger.warn("record rejected by kafka producer topic={}", record.topic(), e);
      metrics.dropped(CollectorMetrics.DROP_KAFKA_REJECTED, 1);
      buffer.release(record);
      return true;
    }
  }

  /** The meters of {@code topic}; the last topic's without a map lookup (runs of one topic). */
  private CollectorMetrics.Produced producedMeter(String topic) {
    if (topic.equals(lastTopic) && lastProduced != null) {
      return lastProduced;
    }
    CollectorMetrics.Produced produced =
        producedMeters.computeIfAbsent(topic, metrics::producedMeter);
    lastTopic = topic;
    lastProduced = produced;
    return produced;
  }

  private void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Waits for the buffer to drain (up to the shutdown timeout), then closes the producer. */
  @Override
  public void close() {
    try {
      if (!buffer.awaitEmpty(shutdownTimeout)) {
        long left = buffer.records();
        logger.warn("shutting down with records not acknowledged by kafka records={}", left);
        metrics.dropped(CollectorMetrics.DROP_SHUTDOWN, (int) left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
