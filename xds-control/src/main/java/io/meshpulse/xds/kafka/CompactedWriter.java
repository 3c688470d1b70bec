package io.meshpulse.xds.kafka;

import io.meshpulse.logging.LogLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a compacted topic in step with state held in memory: the latest value of each key, a
 * tombstone for a removal. A change is queued ({@link #enqueue}), then written and waited for at
 * most about {@code wait} ({@link #flush}), or written in the background ({@link #flushLater}). A
 * change not stored stays queued and is written again every {@code retryInterval} until it is, so
 * the topic catches up with memory once Kafka is back; a later change of the same key replaces a
 * queued one. Counted as {@code meshpulse.<what>.store.failures} and {@code
 * meshpulse.<what>.unstored}.
 *
 * <p>Each write is a transaction of a {@link TransactionalProducer} under the transactional id
 * {@code <application-id>-<what>}, taken over by {@link #fence} when the instance starts to lead: a
 * write of an instance that no longer leads never lands where a reader of committed records finds
 * it.
 */
public final class CompactedWriter implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(CompactedWriter.class);
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  /** A change to store; compared by identity, so only the exact change written is cleared. */
  private static final class Pending {
    final byte @Nullable [] value;

    Pending(byte @Nullable [] value) {
      this.value = value;
    }
  }

  private final String what;
  private final String topic;
  private final Duration wait;
  private final TransactionalProducer<byte[]> producer;
  private final Counter failures;
  private final Object lock = new Object();
  // @GuardedBy("lock"): the latest change of each key not yet stored
  private final Map<String, Pending> pending = new HashMap<>();
  // Held while a change is written, so writes of one key keep their order.
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ScheduledExecutorService background;
  private final LogLimiter warnings = new LogLimiter(WARN_EVERY, System::nanoTime);

  /**
   * @param what what the topic holds, plural ({@code overrides}): names the metrics, the client,
   *     the transactional id and the log lines
   * @param applicationId the deployment's application id, shared by its instances: the
   *     transactional id is {@code <applicationId>-<what>}
   */
  public CompactedWriter(
      String what,
      KafkaClientConfig kafka,
      String applicationId,
      String topic,
      Duration wait,
      Duration retryInterval,
      MeterRegistry registry) {
    this.what = what;
    this.topic = topic;
    this.wait = wait;
    this.producer =
        new TransactionalProducer<>(
            kafka,
            what + " producer",
            applicationId + "-" + what,
            Map.of(
                ProducerConfig.LINGER_MS_CONFIG,
                0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.CLIENT_ID_CONFIG,
                "meshpulse-xds-" + what),
            wait,
            new ByteArraySerializer());
    this.failures =
        Counter.builder("meshpulse." + what + ".store.failures")
            .description(what + " changes not stored on their topic in time; retried")
            .register(registry);
    Gauge.builder("meshpulse." + what + ".unstored", this, CompactedWriter::unstored)
        .description(what + " changes applied in memory but not yet stored on their topic")
        .register(registry);
    this.background =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshpulse-" + what + "-writer");
              t.setDaemon(true);
              return t;
            });
    long every = retryInterval.toMillis();
    background.scheduleWithFixedDelay(this::retryPending, every, every, TimeUnit.MILLISECONDS);
  }

  /** How many times the producer was made again after Kafka would not let it go on. */
  long producerRemade() {
    return producer.remade();
  }

  /**
   * Takes the topic's writes over from any earlier instance of the deployment, before this one
   * reads the topic back; from then on changes are written while {@code leads} says this instance
   * leads ({@link TransactionalProducer#fence}).
   *
   * @throws org.apache.kafka.common.KafkaException when Kafka did not let it within {@code wait};
   *     the first write tries again
   */
  public void fence(java.util.function.BooleanSupplier leads) {
    producer.fence(leads);
  }

  public String topic() {
    return topic;
  }

  /**
   * Queues the key's latest value ({@code null}: a tombstone), replacing one still queued. Never
   * blocks on Kafka: callers may hold their own lock, so memory and queue change together.
   */
  public void enqueue(String key, byte @Nullable [] value) {
    synchronized (lock) {
      pending.put(key, new Pending(value));
    }
  }

  /**
   * Sends the key's queued change and waits at most {@code wait} for it.
   *
   * @return whether nothing of the key is left unstored
   */
  public boolean flush(String key) {
    return flush(key, true);
  }

  /** Sends the key's queued change in the background, without waiting. */
  public void flushLater(String key) {
    try {
      background.execute(() -> flush(key, false));
    } catch (RejectedExecutionException e) {
      logger.debug("{} writer closed; change left unstored key={}", what, key);
    }
  }

  /** Whether the key's latest change is stored (nothing of it is queued). */
  public boolean stored(String key) {
    synchronized (lock) {
      return !pending.containsKey(key);
    }
  }

  /** Changes queued but not yet stored on the topic. */
  public int unstored() {
    synchronized (lock) {
      return pending.size();
    }
  }

  private boolean flush(String key, boolean waited) {
    Pending p;
    try {
      if (!writeLock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        return failed(key, waited, new TimeoutException("another " + what + " write is running"));
      }
      try {
        synchronized (lock) {
          p = pending.get(key);
        }
        if (p == null) {
          return true;
        }
        producer.write(List.of(new ProducerRecord<>(topic, key, p.value)));
      } finally {
        writeLock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(key, waited, e);
    } catch (RuntimeException e) {
      return failed(key, waited, e);
    }
    synchronized (lock) {
      pending.remove(key, p);
    }
    return true;
  }

  private boolean failed(String key, boolean first, Throwable cause) {
    failures.increment();
    if (first) {
      logger.warn(
          "{} change not stored; applied in memory, retried until stored topic={} key={}"
              + " unstored={}",
          what,
          topic,
          key,
          unstored(),
          cause);
    } else {
      logger.debug("{} change still not stored topic={} key={}", what, topic, key, cause);
    }
    return false;
  }

  private void retryPending() {
    List<String> keys;
    synchronized (lock) {
      keys = List.copyOf(pending.keySet());
    }
    if (keys.isEmpty()) {
      return;
    }
    int stored = 0;
    for (String key : keys) {
      if (flush(key, false)) {
        stored++;
      }
    }
    int left = unstored();
    if (left == 0 && stored > 0) {
      logger.info("pending {} changes stored topic={} count={}", what, topic, stored);
    } else if (left > 0) {
      long skipped = warnings.admit(topic);
      if (skipped >= 0) {
        logger.warn(
            "{} changes still not stored topic={} unstored={} warnings.skipped={}",
            what,
            topic,
            left,
            skipped);
      }
    }
  }

  /**
   * Closes without writing again what is not stored yet, and without waiting for what is in flight:
   * for an instance that lost the leader lease, whose late writes the next leader would not read
   * (and its take-over of the transactional id aborts). The callers were told {@code stored=false}.
   */
  public void closeDiscarding() {
    background.shutdownNow();
    int dropped;
    synchronized (lock) {
      dropped = pending.size();
      pending.clear();
    }
    if (dropped > 0) {
      logger.warn(
          "{} changes not stored, dropped: this instance no longer leads n={}", what, dropped);
    }
    producer.close(Duration.ZERO);
  }

  /** Writes what is still queued, in one transaction, then closes the producer. */
  @Override
  public void close() {
    background.shutdownNow();
    List<ProducerRecord<String, byte[]>> left = new ArrayList<>();
    synchronized (lock) {
      pending.forEach((key, p) -> left.add(new ProducerRecord<>(topic, key, p.value)));
    }
    if (!left.isEmpty()) {
      writeLock.lock();
      try {
        producer.write(left);
      } catch (RuntimeException e) {
        logger.warn("{} changes not stored at close topic={} n={}", what, topic, left.size(), e);
      } finally {
        writeLock.unlock();
      }
    }
    producer.close(Duration.ofSeconds(5));
  }
}
