package io.meshpulse.xds.decision;

import io.meshpulse.model.ProtoSerializer;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces every decision to the routing-decisions topic, keyed by cluster, from a thread of its
 * own: the loop only queues a decision, so a Kafka that cannot be reached never holds an evaluation
 * (the producer waits up to {@code max.block.ms} for metadata).
 *
 * <p>The log is a restart's memory of ejections and shifts, so a decision that Kafka could not take
 * for now (a retriable failure: no metadata, a delivery timeout) is sent again, after a pause of
 * {@link #RETRY_PAUSE}, for as long as a restart would still read it ({@code keepFor}, the
 * read-back); {@code meshpulse_decisions_publish_retries_total} counts the attempts. Sent again,
 * decisions may reach the topic out of their order, or twice: readers order them by {@code
 * decided_unix_millis} and key them by {@code id}. One given up is counted in {@code
 * meshpulse_decisions_unpublished_total{reason}}: {@code rejected} (Kafka refused it for good: too
 * large, not authorized), {@code queue_full} (more than {@link #CAPACITY} waiting), {@code expired}
 * (older than {@code keepFor} before Kafka took it), {@code shutdown} (still waiting when the
 * process stopped). {@code meshpulse_decisions_publish_pending} counts those waiting or in flight.
 */
public final class KafkaDecisionPublisher implements DecisionSink, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(KafkaDecisionPublisher.class);

  /** Decisions waiting to be sent at most; beyond, a decision is given up. */
  public static final int CAPACITY = 10_000;

  static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Duration WARN_EVERY = Duration.ofSeconds(10);
  private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);

  private final String topic;
  private final KafkaProducer<String, RoutingDecision> producer;
  private final Duration keepFor;
  private final Clock clock;
  private final BlockingDeque<RoutingDecision> queue = new LinkedBlockingDeque<>(CAPACITY);
  // Decisions queued and not yet acknowledged or given up: one sent again stays counted.
  private final AtomicInteger pending = new AtomicInteger();
  private final Map<String, Counter> unpublished = new LinkedHashMap<>();
  private final Counter retries;
  // System.nanoTime() before which the sender does not send (after a retriable failure).
  private final AtomicLong pauseUntil = new AtomicLong(System.nanoTime());
  private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos());
  private final AtomicLong failuresSinceWarn = new AtomicLong();
  private final Thread sender;
  private volatile boolean closing;

  public KafkaDecisionPublisher(
      KafkaClientConfig kafka,
      String topic,
      Duration keepFor,
      Clock clock,
      MeterRegistry registry) {
    this(kafka, topic, keepFor, clock, registry, DELIVERY_TIMEOUT);
  }

  /**
   * @param deliveryTimeout the producer's {@code delivery.timeout.ms}, after which a decision Kafka
   *     has not acknowledged fails and is sent again (its request timeout is half of it)
   */
  KafkaDecisionPublisher(
      KafkaClientConfig kafka,
      String topic,
      Duration keepFor,
      Clock clock,
      MeterRegistry registry,
      Duration deliveryTimeout) {
    this.producer =
        new KafkaProducer<>(
            kafka.client(
                "routing decisions producer",
                Map.of(
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.LINGER_MS_CONFIG,
                    5,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG,
                    1000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    (int) deliveryTimeout.toMillis(),
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    (int) Math.min(30_000, deliveryTimeout.toMillis() / 2),
                    ProducerConfig.CLIENT_ID_CONFIG,
                    "meshpulse-xds-decisions")),
            new StringSerializer(),
            new ProtoSerializer<>());
    this.topic = topic;
    this.keepFor = keepFor;
    this.clock = clock;
    for (String reason : List.of("rejected", "queue_full", "expired", "shutdown")) {
      unpublished.put(
          reason,
          Counter.builder("meshpulse.decisions.unpublished")
              .description(
                  "routing decisions the decision log never got: a restart does not see them")
              .tag("reason", reason)
              .register(registry));
    }
    this.retries =
        Counter.builder("meshpulse.decisions.publish.retries")
            .description("routing decisions sent to Kafka again after it could not take them")
            .register(registry);
    Gauge.builder("meshpulse.decisions.publish.pending", this, KafkaDecisionPublisher::pending)
        .description("routing decisions waiting for Kafka, or in flight")
        .register(registry);
    this.sender = new Thread(this::run, "meshpulse-decisions-sender");
    sender.setDaemon(true);
    sender.start();
  }

  /** Queues the decision; never blocks. */
  @Override
  public void accept(RoutingDecision decision) {
    if (closing) {
      unpublished.get("shutdown").increment();
    } else if (queue.offerLast(decision)) {
      pending.incrementAndGet();
    } else {
      unpublished.get("queue_full").increment();
      warn("decision not queued for Kafka, " + CAPACITY + " already waiting", decision, null);
    }
  }

  /** Decisions waiting to be sent, or sent and not yet acknowledged. */
  public int pending() {
    return pending.get();
  }

  private void run() {
    while (!closing) {
      long pause = pauseUntil.get() - System.nanoTime();
      RoutingDecision d;
      try {
        if (pause > 0) {
          TimeUnit.NANOSECONDS.sleep(Math.min(pause, TimeUnit.MILLISECONDS.toNanos(100)));
          continue;
        }
        d = queue.pollFirst(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (d == null) {
        continue;
      }
      if (clock.millis() - d.getDecidedUnixMillis() > keepFor.toMillis()) {
        pending.decrementAndGet();
        unpublished.get("expired").increment();
        warn("decision not produced within " + keepFor + ", given up", d, null);
        continue;
      }
      try {
        producer.send(
            new ProducerRecord<>(topic, d.getCluster(), d),
            (meta, e) -> {
              if (e == null) {
                pending.decrementAndGet();
              } else {
                failed(d, e);
              }
            });
      } catch (RuntimeException e) {
        failed(d, e);
      }
    }
  }

  /** A retriable failure sends the decision again after a pause; any other gives it up. */
  private void failed(RoutingDecision d, Exception e) {
    if (closing) {
      pending.decrementAndGet();
      unpublished.get("shutdown").increment();
    } else if (!(e instanceof RetriableException)) {
      pending.decrementAndGet();
      unpublished.get("rejected").increment();
      logger.warn(
          "decision refused by Kafka, given up id={} cluster={} size={}",
          d.getId(),
          d.getCluster(),
          d.getSerializedSize(),
          e);
    } else if (queue.offerLast(d)) {
      retries.increment();
      pauseUntil.set(System.nanoTime() + RETRY_PAUSE.toNanos());
      warn("decision not produced, sending it again", d, e);
    } else {
      pending.decrementAndGet();
      unpublished.get("queue_full").increment();
      warn("decision not produced and not queued again, " + CAPACITY + " waiting", d, e);
    }
  }

  /** Logs at WARN at most every 10 s, saying how many failed since; at DEBUG otherwise. */
  private void warn(String what, RoutingDecision d, Exception e) {
    long now = System.nanoTime();
    long last = lastWarn.get();
    long since = failuresSinceWarn.incrementAndGet();
    if (now - last >= WARN_EVERY.toNanos() && lastWarn.compareAndSet(last, now)) {
      failuresSinceWarn.set(0);
      logger.warn(
          "{} id={} cluster={} ({} such since the last warning): {}",
          what,
          d.getId(),
          d.getCluster(),
          since,
          e == null ? "-" : e.toString());
    } else {
      logger.debug("{} id={} cluster={}", what, d.getId(), d.getCluster(), e);
    }
  }

  /**
   * Sends what is waiting for up to 5 s, then stops; what is still waiting is counted as {@code
   * shutdown}.
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    while (pending() > 0 && System.nanoTime() < deadline && sender.isAlive()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closing = true;
    try {
      sender.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(
        Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofMillis(500).toNanos())));
    int left = queue.size();
    unpublished.get("shutdown").increment(left);
    pending.addAndGet(-left);
    queue.clear();
  }
}
