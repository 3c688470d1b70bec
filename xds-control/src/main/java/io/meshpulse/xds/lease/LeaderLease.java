package io.meshpulse.xds.lease;

import io.meshpulse.xds.kafka.KafkaClientConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of several xds-control instances decides: leader election through a Kafka consumer group.
 *
 * <p>Every instance joins the group {@code group} on the one-partition topic {@code topic}; the
 * member the group assigns partition 0 holds the lease, the others stand by. The sticky cooperative
 * assignor keeps the partition where it is when a standby joins or leaves, so only the holder's
 * departure moves it: at once when it closes (the consumer leaves the group), within the lease
 * {@code duration} (the group's session timeout) when it dies or loses the brokers.
 *
 * <p>Each instance is a static member of the group under its {@code holder} name, so that a
 * container restarted in place (the same pod name) rejoins without a rebalance, and takes its lease
 * back if it held it. A static member does not leave the group when its consumer closes by default,
 * so the lease closes its consumer with an explicit leave, which hands the partition on at once.
 * Two live instances of one name fence each other; the one fenced loses its lease.
 *
 * <p>A holder cut off from the group coordinator does not learn that the group gave the partition
 * away until it reaches the coordinator again. So the holder renews the lease every tenth of the
 * duration by committing an offset of the partition (with its name as the metadata), which the
 * coordinator accepts only from a current member of the current generation; when no renewal has
 * succeeded for half the duration, it gives the lease up itself ({@link Listener#lost}). The group
 * cannot give the partition to another member before the whole duration has passed since it last
 * heard from the holder, so the old holder has stopped half a duration before a new one starts. A
 * renewal counts from when it was sent. During a rebalance the client commits nothing once it has
 * rejoined, so a rebalance held for more than half the duration (by a member that joined and then
 * died) makes the holder give the lease up: a needless handover, never two holders.
 *
 * <p>A lease is held once: after {@link Listener#lost} it stops and does not compete again (an
 * instance that lost it restarts, and so starts afresh from Kafka, as at any start).
 */
public final class LeaderLease implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(LeaderLease.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long ADMIN_TIMEOUT_SECONDS = 10;
  private static final Duration TOPIC_RETRY = Duration.ofSeconds(5);

  /** What the lease tells its owner. Called on the lease's thread, never both at once. */
  public interface Listener {
    /** This instance holds the lease now. Must return soon: the lease renews on this thread. */
    void acquired();

    /** This instance no longer holds the lease, or cannot act on it. Called once, at most. */
    void lost(String reason);

    /**
     * The lease's thread has ended and left the group, after {@link #lost} or a close: the moment
     * another instance can take the lease over at once.
     */
    default void released() {}
  }

  /**
   * @param topic the one-partition topic whose partition 0 is the lease (created when missing)
   * @param group the consumer group the instances compete in
   * @param holder this instance's name, in the logs and the lease's offset metadata
   * @param duration how long the group waits for a holder it no longer hears from (its session
   *     timeout): between 6 s (the brokers' default least session timeout) and 5 min
   */
  public record Settings(String topic, String group, String holder, Duration duration) {
    public static final Duration MIN_DURATION = Duration.ofSeconds(6);
    public static final Duration MAX_DURATION = Duration.ofMinutes(5);

    public Settings {
      if (duration.compareTo(MIN_DURATION) < 0 || duration.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "the lease duration must be between 6s (the brokers' default"
                + " group.min.session.timeout.ms) and 5m: "
                + duration);
      }
    }

    Duration renewEvery() {
      return duration.dividedBy(10);
    }

    Duration renewDeadline() {
      return duration.dividedBy(2);
    }
  }

  private final Settings settings;
  private final KafkaClientConfig clients;
  private final Listener listener;
  private final TopicPartition partition;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  private volatile boolean subscribed;
  private volatile boolean held;
  private volatile long renewedNanos;
  private long nextRenewalNanos;
  private volatile boolean done;

  public LeaderLease(KafkaClientConfig clients, Settings settings, Listener listener) {
    this.settings = settings;
    this.clients = clients;
    this.listener = listener;
    this.partition = new TopicPartition(settings.topic(), 0);
    long sessionMillis = settings.duration().toMillis();
    Map<String, Object> own =
        new java.util.HashMap<>(
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                settings.group(),
                ConsumerConfig.CLIENT_ID_CONFIG,
                "meshpulse-xds-lease-" + settings.holder(),
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "classic",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                (int) sessionMillis,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                (int) Math.max(500, sessionMillis / 10),
                // The rebalance timeout: a member that joined and stopped answering holds a
                // rebalance (and the holder's renewals) no longer than this.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) sessionMillis,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()));
    own.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.holder());
    this.consumer = new KafkaConsumer<>(clients.client("leader lease", own));
    this.thread = new Thread(this::run, "xds-leader-lease");
    this.thread.setDaemon(true);
    this.thread.setUncaughtExceptionHandler(
        (t, e) -> logger.error("the leader lease's thread failed", e));
  }

  /**
   * Competes for the lease in the background, after making sure the lease topic exists. Kafka need
   * not be reachable: the instance stands by until it is (as a start without leader election waits
   * for the health table).
   */
  public LeaderLease start() {
    started = true;
    thread.start();
    logger.info(
        "competing for the leader lease topic={} group={} holder={} duration={}",
        settings.topic(),
        settings.group(),
        settings.holder(),
        settings.duration());
    return this;
  }

  /**
   * Whether the lease topic exists, creating it (one partition) when it does not. A failure is
   * logged, and the caller asks again.
   */
  private boolean topicReady(Admin admin) throws InterruptedException {
    try {
      if (admin
          .listTopics()
          .names()
          .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .contains(settings.topic())) {
        return true;
      }
      admin
          .createTopics(List.of(new NewTopic(settings.topic(), Optional.of(1), Optional.empty())))
          .all()
          .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      logger.info("created the leader lease topic {}", settings.topic());
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return true;
      }
      logger.error(
          "cannot create the leader lease topic {} (create it with one partition, or let"
              + " xds-control create topics); standing by, trying again in {} s: {}",
          settings.topic(),
          TOPIC_RETRY.toSeconds(),
          e.getCause().toString());
    } catch (TimeoutException e) {
      logger.warn(
          "no answer from the brokers about the leader lease topic {} within {} s; standing by,"
              + " trying again",
          settings.topic(),
          ADMIN_TIMEOUT_SECONDS);
    }
    return false;
  }

  /** This instance's name. */
  public String holder() {
    return settings.holder();
  }

  /** Whether this instance holds the lease and renewed it within half its duration. */
  public boolean held() {
    return held && System.nanoTime() - renewedNanos < settings.renewDeadline().toNanos();
  }

  private void run() {
    try {
      try (Admin admin = Admin.create(clients.base())) {
        while (running && !topicReady(admin)) {
          Thread.sleep(TOPIC_RETRY.toMillis());
        }
      } catch (InterruptedException e) {
        return; // close(); the finally block closes the consumer
      }
      subscribed = true;
      consumer.subscribe(Set.of(settings.topic()), new Rebalance());
      while (running && !done) {
        consumer.poll(POLL);
        if (held) {
          renew();
        }
      }
    } catch (WakeupException e) {
      // close()
    } catch (RuntimeException | Error e) {
      if (running) {
        logger.error("the leader lease failed", e);
        lose("the lease's Kafka client failed: " + e);
      }
    } finally {
      if (running && !done) {
        // An error the catch did not see: the instance must not go on as if it led.
        lose("the lease's thread ended");
      }
      // close() may have interrupted a wait for the topic just as it ended.
      Thread.interrupted();
      try {
        // A static member stays in the group on a plain close; the leave names this member, so
        // it cannot remove another instance that took the same name.
        consumer.close(
            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        logger.warn(
            "closing the leader lease's consumer failed: a standby takes over after the lease"
                + " duration",
            e);
      }
      listener.released();
    }
  }

  private void renew() {
    if (!running) {
      return;
    }
    long now = System.nanoTime();
    if (now - renewedNanos >= settings.renewDeadline().toNanos()) {
      lose(
          "not renewed for "
              + TimeUnit.NANOSECONDS.toMillis(now - renewedNanos)
              + " ms: the group coordinator cannot be reached, or gave the lease away");
      return;
    }
    if (now < nextRenewalNanos) {
      return;
    }
    nextRenewalNanos = now + settings.renewEvery().toNanos();
    try {
      // From the send: the coordinator heard from this member no earlier.
      long sent = System.nanoTime();
      consumer.commitSync(
          Map.of(partition, new OffsetAndMetadata(0, settings.holder())), settings.renewEvery());
      renewedNanos = sent;
    } catch (WakeupException e) {
      throw e;
    } catch (FencedInstanceIdException e) {
      lose("another instance joined under the name " + settings.holder());
    } catch (KafkaException e) {
      logger.debug("leader lease renewal failed", e);
    }
  }

  private void acquire() {
    if (held || done || !running) {
      return;
    }
    renewedNanos = System.nanoTime();
    nextRenewalNanos = renewedNanos;
    held = true;
    logger.info("holding the leader lease holder={}", settings.holder());
    try {
      listener.acquired();
    } catch (RuntimeException | Error e) {
      logger.error("taking up the leader lease failed", e);
      lose("taking it up failed: " + e);
    }
  }

  private void lose(String reason) {
    if (done || !running) {
      // Closing: a lease that lapses while the parts close is no loss to report.
      return;
    }
    done = true;
    boolean wasHeld = held;
    held = false;
    if (wasHeld) {
      logger.error("lost the leader lease holder={}: {}", settings.holder(), reason);
    }
    listener.lost(reason);
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.contains(partition)) {
        acquire();
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (held && partitions.contains(partition)) {
        lose("the group moved the lease to another instance");
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (held && partitions.contains(partition)) {
        lose("the group dropped this instance (its session expired)");
      }
    }
  }

  /** Stops competing, leaving the group: a standby takes the lease over at once. */
  @Override
  public void close() {
    running = false;
    held = false;
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    if (thread != Thread.currentThread() && !subscribed) {
      thread.interrupt(); // waiting to look for the topic again
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
