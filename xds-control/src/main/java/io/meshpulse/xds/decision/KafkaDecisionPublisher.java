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
import java.util.Properties;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces every decision to the routing-decisions topic, keyed by cluster, from a thread of its
 * own: the loop only queues a decision, so a Kafka that cannot be reached never holds an evaluation
 * (the producer waits up to {@code max.block.ms} for metadata).
 *
 * <p>The log is a restart's memory of ejections and shifts, so a decision Kafka did not take is
 * sent again, for as long as a restart would still read it ({@code keepFor}, the read-back). One
 * given up is counted in {@code meshpulse_decisions_unpublished_total{reason}}: {@code queue_full}
 * (more than {@link #CAPACITY} waiting), {@code expired} (older than {@code keepFor} before Kafka
 * took it), {@code shutdown} (still waiting when the process stopped). {@code
 * meshpulse_decisions_publish_pending} counts those waiting or in flight.
 */
public final class KafkaDecisionPublisher implements DecisionSink, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(KafkaDecisionPublisher.class);

  /** Decisions waiting to be sent again at most; beyond, the newest is not kept. */
  public static final int CAPACITY = 10_000;

  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final String topic;
  private final Producer<String, RoutingDecision> producer;
  private final Duration keepFor;
  private final Clock clock;
  private final BlockingDeque<RoutingDecision> queue = new LinkedBlockingDeque<>(CAPACITY);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, Counter> unpublished = new LinkedHashMap<>();
  private final Thread sender;
  private volatile boolean closing;

  public KafkaDecisionPublisher(
      KafkaClientConfig kafka,
      String topic,
      Duration keepFor,
      Clock clock,
      MeterRegistry registry) {
    this.producer =
        new KafkaProducer<>(
            producerProperties(kafka), new StringSerializer(), new ProtoSerializer<>());
    this.topic = topic;
    this.keepFor = keepFor;
    this.clock = clock;
    for (String reason : List.of("queue_full", "expired", "shutdown")) {
      unpublished.put(
          reason,
          Counter.builder("meshpulse.decisions.unpublished")
              .description(
                  "routing decisions the decision log never got: a restart does not see them")
              .tag("reason", reason)
              .register(registry));
    }
    Gauge.builder("meshpulse.decisions.publish.pending", this, KafkaDecisionPublisher::pending)
        .description("routing decisions waiting for Kafka, or in flight")
        .register(registry);
    this.sender = new Thread(this::run, "meshpulse-decisions-sender");
    sender.setDaemon(true);
    sender.start();
  }

  private static Properties producerProperties(KafkaClientConfig kafka) {
    return kafka.client(
        "routing decisions producer",
        Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
            ProducerConfig.CLIENT_ID_CONFIG, "meshpulse-xds-decisions"));
  }

  /** Queues the decision; never blocks. */
  @Override
  public void accept(RoutingDecision decision) {
    if (closing) {
      unpublished.get("shutdown").increment();
    } else if (!queue.offerLast(decision)) {
      unpublished.get("queue_full").increment();
      logger.warn(
          "decision not queued for Kafka, {} already waiting id={} cluster={}",
          CAPACITY,
          decision.getId(),
          decision.getCluster());
    }
  }

  /** Decisions waiting to be sent, or sent and not yet acknowledged. */
  public int pending() {
    return queue.size() + inFlight.get();
  }

  private void run() {
    while (!closing) {
      RoutingDecision d;
      try {
        d = queue.pollFirst(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (d == null) {
        continue;
      }
      if (clock.millis() - d.getDecidedUnixMillis() > keepFor.toMillis()) {
        unpublished.get("expired").increment();
        logger.warn(
            "decision not produced within {}, given up id={} cluster={}",
            keepFor,
            d.getId(),
            d.getCluster());
        continue;
      }
      inFlight.incrementAndGet();
      try {
        producer.send(
            new ProducerRecord<>(topic, d.getCluster(), d),
            (meta, e) -> {
              if (e != null) {
                logger.warn(
                    "decision not produced, sending it again id={} cluster={}",
                    d.getId(),
                    d.getCluster(),
                    e);
                again(d);
              }
              inFlight.decrementAndGet();
            });
      } catch (RuntimeException e) {
        // No metadata within max.block.ms (Kafka unreachable), or the producer is closing.
        inFlight.decrementAndGet();
        logger.debug("decision not sent, sending it again id={}", d.getId(), e);
        again(d);
        try {
          Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private void again(RoutingDecision d) {
    if (closing) {
      unpublished.get("shutdown").increment();
    } else if (!queue.offerFirst(d)) {
      unpublished.get("queue_full").increment();
    }
  }

  /**
   * Sends what is waiting for up to 5 s, then stops; what is still waiting is counted as {@code
   * shutdown}.
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    while (!queue.isEmpty() && System.nanoTime() < deadline && sender.isAlive()) {
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
    unpublished.get("shutdown").increment(queue.size());
    queue.clear();
  }
}
