package io.meshpulse.xds.override;

import io.meshpulse.logging.LogLimiter;
import io.meshpulse.model.v1.RoutingOverride;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each override change in memory at once, then stores it on the compacted overrides topic
 * (a tombstone for a removal), waiting at most {@code wait}. A change not stored in time stays
 * pending and is sent again every {@code retryInterval} until it is, so the topic catches up with
 * memory once Kafka is back; a later change of the same endpoint replaces a pending one.
 */
public final class OverrideWriter implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(OverrideWriter.class);
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  /** A change to store; compared by identity, so only the exact change sent is cleared. */
  private static final class Pending {
    final @Nullable RoutingOverride value;
    volatile @Nullable Future<RecordMetadata> inFlight;

    Pending(@Nullable RoutingOverride value) {
      this.value = value;
    }
  }

  /** What a removal did: the override removed, and whether its tombstone was stored. */
  public record Removal(EndpointOverride removed, boolean stored) {}

  private final OverrideStore store;
  private final Runnable applied;
  private final String topic;
  private final Duration wait;
  private final Clock clock;
  private final KafkaProducer<String, byte[]> producer;
  private final Counter failures;
  private final Object lock = new Object();
  // @GuardedBy("lock"): the latest change of each endpoint key not yet stored
  private final Map<String, Pending> pending = new HashMap<>();
  // Held while a change is handed to the producer, so sends of one key keep their order.
  private final ReentrantLock sendLock = new ReentrantLock();
  private final ScheduledExecutorService retry;
  private final LogLimiter warnings = new LogLimiter(WARN_EVERY, System::nanoTime);

  /**
   * @param applied called after each change is applied in memory, before it is stored (the control
   *     loop evaluates with it at once)
   */
  public OverrideWriter(
      OverrideStore store,
      Runnable applied,
      String bootstrapServers,
      String topic,
      Duration wait,
      Duration retryInterval,
      Clock clock,
      MeterRegistry registry) {
    this.store = store;
    this.applied = applied;
    this.topic = topic;
    this.wait = wait;
    this.clock = clock;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, wait.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "meshpulse-xds-overrides");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.failures =
        Counter.builder("meshpulse.overrides.store.failures")
            .description("override changes not stored on the overrides topic in time; retried")
            .register(registry);
    Gauge.builder("meshpulse.overrides.unstored", this, OverrideWriter::unstored)
        .description("override changes applied in memory but not yet stored on the topic")
        .register(registry);
    this.retry =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshpulse-override-retry");
              t.setDaemon(true);
              return t;
            });
    long every = retryInterval.toMillis();
    retry.scheduleWithFixedDelay(this::retryPending, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Sets an override: in memory at once, then on the topic.
   *
   * @return whether it was stored on the topic within the wait
   */
  public boolean set(EndpointOverride o) {
    String key = OverrideRecords.key(o.endpoint());
    synchronized (lock) {
      store.put(o);
      pending.put(key, new Pending(OverrideRecords.toRecord(o, clock.instant())));
    }
    applied.run();
    return flush(key, true);
  }

  /** Removes an endpoint's override: from memory at once, then a tombstone on the topic. */
  public Optional<Removal> remove(EndpointId endpoint) {
    String key = OverrideRecords.key(endpoint);
    Optional<EndpointOverride> removed;
    synchronized (lock) {
      removed = store.remove(endpoint);
      if (removed.isEmpty()) {
        return Optional.empty();
      }
      pending.put(key, new Pending(null));
    }
    applied.run();
    return Optional.of(new Removal(removed.get(), flush(key, true)));
  }

  /** Changes applied in memory but not yet stored on the topic. */
  public int unstored() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Sends the key's latest pending change and waits for it; true when nothing is left. */
  private boolean flush(String key, boolean fromApi) {
    long deadline = System.nanoTime() + wait.toNanos();
    Pending p;
    Future<RecordMetadata> sent;
    try {
      if (!sendLock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        return failed(key, fromApi, new TimeoutException("another override write is in progress"));
      }
      try {
        synchronized (lock) {
          p = pending.get(key);
        }
        if (p == null) {
          return true;
        }
        sent =
            producer.send(
                new ProducerRecord<>(topic, key, p.value == null ? null : p.value.toByteArray()));
        p.inFlight = sent;
      } finally {
        sendLock.unlock();
      }
      sent.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(key, fromApi, e);
    } catch (ExecutionException e) {
      return failed(key, fromApi, e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException | RuntimeException e) {
      return failed(key, fromApi, e);
    }
    synchronized (lock) {
      pending.remove(key, p);
    }
    return true;
  }

  private boolean failed(String key, boolean fromApi, Throwable cause) {
    failures.increment();
    if (fromApi) {
      logger.warn(
          "override change not stored; applied in memory, retried until stored topic={} key={}"
              + " unstored={}",
          topic,
          key,
          unstored(),
          cause);
    } else {
      logger.debug("override change still not stored topic={} key={}", topic, key, cause);
    }
    return false;
  }

  private void retryPending() {
    List<String> keys;
    synchronized (lock) {
      keys =
          pending.entrySet().stream()
              .filter(e -> e.getValue().inFlight == null || e.getValue().inFlight.isDone())
              .map(Map.Entry::getKey)
              .toList();
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
      logger.info("pending override changes stored topic={} count={}", topic, stored);
    } else if (left > 0) {
      long skipped = warnings.admit(topic);
      if (skipped >= 0) {
        logger.warn(
            "override changes still not stored topic={} unstored={} warnings.skipped={}",
            topic,
            left,
            skipped);
      }
    }
  }

  @Override
  public void close() {
    retry.shutdownNow();
    producer.close(Duration.ofSeconds(5));
  }
}
