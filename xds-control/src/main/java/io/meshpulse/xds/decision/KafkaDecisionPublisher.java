package io.meshpulse.xds.decision;

import io.meshpulse.model.ProtoSerializer;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.kafka.TransactionalProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces every decision to the routing-decisions topic, keyed by cluster, from a thread of its
 * own: the loop only queues a decision, so a Kafka that cannot be reached never holds an
 * evaluation. The decisions waiting are written together, up to {@link #BATCH} as one transaction
 * of a {@link TransactionalProducer} under the transactional id {@code <application-id>-decisions}:
 * nothing is written before this instance took that id over ({@link #fence}, when it starts to
 * lead), and nothing of it still in flight when a later instance took the id over is ever read.
 *
 * <p>The log is a restart's memory of ejections and shifts, so a decision that Kafka could not take
 * for now (a retriable failure: no metadata, a timeout) is sent again, after a pause of {@link
 * #RETRY_PAUSE}, for as long as a restart would still read it ({@code keepFor}, the read-back);
 * {@code meshpulse_decisions_publish_retries_total} counts the attempts, a decision each time. A
 * transaction whose commit outlasted its wait is finished before anything else is sent, and
 * decisions sent again go back to the head of the queue: they reach the topic in the order they
 * were made. One given up is counted in {@code meshpulse_decisions_unpublished_total{reason}}:
 * {@code rejected} (Kafka refused it for good: too large, not authorized; a transaction refused as
 * a whole is sent again one decision at a time to find the one refused), {@code queue_full} (more
 * than {@link #CAPACITY} waiting), {@code expired} (older than {@code keepFor} before Kafka took
 * it), {@code shutdown} (still waiting when the process stopped). {@code
 * meshpulse_decisions_publish_pending} counts those waiting or in flight.
 */
public final class KafkaDecisionPublisher implements DecisionSink, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(KafkaDecisionPublisher.class);

  /** Decisions waiting to be sent at most; beyond, a decision is given up. */
  public static final int CAPACITY = 10_000;

  static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  /** Decisions written in one transaction at most. */
  static final int BATCH = 100;

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Duration WARN_EVERY = Duration.ofSeconds(10);
  private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);
  // How long a take-over, a commit or an abort holds the sender at most.
  private static final Duration MAX_BLOCK = Duration.ofSeconds(1);

  private final String topic;
  private final TransactionalProducer<RoutingDecision> producer;
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
  // Sender thread only (then close(), after joining it): a batch whose commit is still to finish.
  private List<RoutingDecision> uncertain = List.of();
  // Sender thread only: decisions still to send one at a time, after a batch was refused.
  private int singly;

  /**
   * @param applicationId the deployment's application id: its instances share the transactional id
   *     {@code <applicationId>-decisions}
   */
  public KafkaDecisionPublisher(
      KafkaClientConfig kafka,
      String applicationId,
      String topic,
      Duration keepFor,
      Clock clock,
      MeterRegistry registry) {
    this(kafka, applicationId, topic, keepFor, clock, registry, DELIVERY_TIMEOUT);
  }

  /**
   * @param deliveryTimeout the producer's {@code delivery.timeout.ms}, after which a decision Kafka
   *     has not acknowledged fails and is sent again (its request timeout is half of it)
   */
  KafkaDecisionPublisher(
      KafkaClientConfig kafka,
      String applicationId,
      String topic,
      Duration keepFor,
      Clock clock,
      MeterRegistry registry,
      Duration deliveryTimeout) {
    this.producer =
        new TransactionalProducer<>(
            kafka,
            "routing decisions producer",
            applicationId + "-decisions",
            Map.of(
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) deliveryTimeout.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.min(30_000, deliveryTimeout.toMillis() / 2),
                ProducerConfig.CLIENT_ID_CONFIG,
                "meshpulse-xds-decisions"),
            MAX_BLOCK,
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
            .description(
                "routing decisions sent to Kafka again, or whose transaction was finished again,"
                    + " after it could not take them")
            .register(registry);
    Gauge.builder("meshpulse.decisions.publish.pending", this, KafkaDecisionPublisher::pending)
        .description("routing decisions waiting for Kafka, or in flight")
        .register(registry);
    this.sender = new Thread(this::run, "meshpulse-decisions-sender");
    sender.setDaemon(true);
    sender.start();
  }

  /**
   * Takes the decision log's writes over from an earlier instance of the deployment, before this
   * one reads the log back; decisions queued before are held until then.
   *
   * @throws org.apache.kafka.common.KafkaException when Kafka did not let it in time; the sender
   *     goes on with the take-over before it writes
   */
  public void fence(java.util.function.BooleanSupplier leads) {
    producer.fence(leads);
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
      List<RoutingDecision> batch = new ArrayList<>();
      try {
        if (pause > 0 || !producer.leads()) {
          TimeUnit.NANOSECONDS.sleep(
              Math.min(Math.max(pause, 1), TimeUnit.MILLISECONDS.toNanos(100)));
          continue;
        }
        if (!uncertain.isEmpty()) {
          finishUncertain();
          continue;
        }
        RoutingDecision first = queue.pollFirst(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        return;
      }
      if (singly > 0) {
        singly--;
      } else {
        queue.drainTo(batch, BATCH - 1);
      }
      batch.removeIf(this::expired);
      if (!batch.isEmpty()) {
        write(batch);
      }
    }
  }

  private boolean expired(RoutingDecision d) {
    if (clock.millis() - d.getDecidedUnixMillis() <= keepFor.toMillis()) {
      return false;
    }
    pending.decrementAndGet();
    unpublished.get("expired").increment();
    warn("decision not produced within " + keepFor + ", given up", d, null);
    return true;
  }

  private void write(List<RoutingDecision> batch) {
    try {
      producer.write(
          batch.stream().map(d -> new ProducerRecord<>(topic, d.getCluster(), d)).toList());
      pending.addAndGet(-batch.size());
    } catch (TransactionalProducer.NotLeadingException e) {
      // The lease lapsed since the check: written by nobody; a close counts them.
      requeue(batch, null, false);
    } catch (RuntimeException e) {
      if (TransactionalProducer.retriable(e)) {
        // Committed or not: the next round finishes the transaction and knows.
        uncertain = batch;
        pauseUntil.set(System.nanoTime() + RETRY_PAUSE.toNanos());
        warn("decisions not produced yet, finishing their transaction", batch.get(0), e);
      } else if (batch.size() == 1) {
        giveUp(batch, "rejected", e);
      } else {
        // One of them was refused: each is sent alone to find it.
        requeue(batch, e, true);
        singly = batch.size();
      }
    }
  }

  /** Finishes the transaction a write left open: done, sent again, or tried again later. */
  private void finishUncertain() {
    List<RoutingDecision> batch = uncertain;
    try {
      boolean committed = producer.finish();
      uncertain = List.of();
      if (committed) {
        pending.addAndGet(-batch.size());
      } else {
        requeue(batch, null, true);
      }
    } catch (TransactionalProducer.NotLeadingException e) {
      // Left as it is: the sender waits while this instance does not lead, and a close counts it.
    } catch (RuntimeException e) {
      if (TransactionalProducer.retriable(e)) {
        retries.increment(batch.size());
        pauseUntil.set(System.nanoTime() + RETRY_PAUSE.toNanos());
        warn("transaction of decisions not finished yet", batch.get(0), e);
      } else {
        uncertain = List.of();
        requeue(batch, e, true);
      }
    }
  }

  /**
   * Puts the decisions back at the head of the queue, in their order, to be sent again; {@code
   * retry}: counted as retries, and sent after a pause.
   */
  private void requeue(List<RoutingDecision> batch, @Nullable Exception e, boolean retry) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      RoutingDecision d = batch.get(i);
      if (queue.offerFirst(d)) {
        if (retry) {
          retries.increment();
        }
      } else {
        pending.decrementAndGet();
        unpublished.get("queue_full").increment();
        warn("decision not produced and not queued again, " + CAPACITY + " waiting", d, e);
      }
    }
    if (retry) {
      pauseUntil.set(System.nanoTime() + RETRY_PAUSE.toNanos());
    }
    if (e != null) {
      warn("decisions not produced, sending them again", batch.get(0), e);
    }
  }

  private void giveUp(List<RoutingDecision> batch, String reason, Exception e) {
    pending.addAndGet(-batch.size());
    unpublished.get(reason).increment(batch.size());
    RoutingDecision d = batch.get(0);
    logger.warn(
        "decisions given up reason={} n={} first.id={} first.cluster={} size={}",
        reason,
        batch.size(),
        d.getId(),
        d.getCluster(),
        d.getSerializedSize(),
        e);
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
   * Sends what is waiting for up to 5 s (while this instance leads), then stops; what is still
   * waiting, or in a transaction whose end Kafka had not confirmed, is counted as {@code shutdown}
   * (such a transaction may have been committed nonetheless).
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    while (pending() > 0 && producer.leads() && System.nanoTime() < deadline && sender.isAlive()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closing = true;
    // Waits for a write in progress to return, then closes: the sender's next call fails at once.
    producer.close(
        Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofMillis(500).toNanos())));
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = pending.getAndSet(0);
    unpublished.get("shutdown").increment(left);
    queue.clear();
  }
}
