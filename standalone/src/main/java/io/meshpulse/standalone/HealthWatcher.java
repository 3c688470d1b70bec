package io.meshpulse.standalone;

import io.meshpulse.model.EndpointHealthDeserializer;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.RoutingDecisionDeserializer;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.RoutingDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the endpoint-health and routing-decision topics for the demo: the latest score of every
 * endpoint, when each endpoint was first judged not healthy, and the decision log.
 */
final class HealthWatcher implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HealthWatcher.class);
  private static final int RECENT_DECISIONS = 200;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final Clock clock;
  private final EndpointHealthDeserializer healthReader = new EndpointHealthDeserializer();
  private final RoutingDecisionDeserializer decisionReader = new RoutingDecisionDeserializer();
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final Map<String, EndpointHealth> latest = new HashMap<>();
  // @GuardedBy("lock")
  private final NotHealthyTimes notHealthy = new NotHealthyTimes(NOT_HEALTHY_MEMORY_MS);

  /** How long not-healthy judgements are remembered (several simulations may run in a row). */
  static final long NOT_HEALTHY_MEMORY_MS = Duration.ofMinutes(15).toMillis();

  // @GuardedBy("lock")
  private final Deque<String> recentDecisions = new ArrayDeque<>();
  // @GuardedBy("lock")
  private long decisions;
  // @GuardedBy("lock")
  private long healthRecords;
  // @GuardedBy("lock")
  private long notHealthyRecords;
  // @GuardedBy("lock")
  private long undecodable;

  HealthWatcher(String bootstrap, Clock clock) {
    this.clock = clock;
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "meshpulse-demo-" + clock.millis());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // xds-control writes decisions in transactions: only committed ones are decisions made.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(Topics.ENDPOINT_HEALTH, Topics.ROUTING_DECISIONS));
    thread = new Thread(this::run, "meshpulse-demo-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (true) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          accept(record);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void accept(ConsumerRecord<String, byte[]> record) {
    long now = clock.millis();
    try {
      if (record.topic().equals(Topics.ENDPOINT_HEALTH)) {
        EndpointHealth health = healthReader.deserialize(record.topic(), record.value());
        if (health == null) {
          return;
        }
        String endpoint = RecordKeys.hostPort(health.getEndpoint());
        synchronized (lock) {
          latest.put(endpoint, health);
          healthRecords++;
          if (health.getState() == HealthState.HEALTH_STATE_UNHEALTHY
              || health.getState() == HealthState.HEALTH_STATE_DEGRADED) {
            notHealthy.add(endpoint, now);
            notHealthyRecords++;
          }
        }
      } else {
        RoutingDecision decision = decisionReader.deserialize(record.topic(), record.value());
        if (decision == null) {
          return;
        }
        synchronized (lock) {
          decisions++;
          recentDecisions.addLast(DecisionLine.of(decision));
          while (recentDecisions.size() > RECENT_DECISIONS) {
            recentDecisions.removeFirst();
          }
        }
      }
    } catch (RuntimeException e) {
      synchronized (lock) {
        undecodable++;
      }
      logger.debug("skipping an undecodable record topic={}", record.topic(), e);
    }
  }

  Optional<EndpointHealth> health(String endpoint) {
    synchronized (lock) {
      return Optional.ofNullable(latest.get(endpoint));
    }
  }

  /**
   * When any of {@code endpoints} was first judged DEGRADED or UNHEALTHY at or after {@code since}.
   */
  Optional<Long> firstNotHealthy(List<String> endpoints, long since) {
    synchronized (lock) {
      return notHealthy.first(endpoints, since);
    }
  }

  long decisions() {
    synchronized (lock) {
      return decisions;
    }
  }

  /** Endpoint health records read so far. */
  long healthRecords() {
    synchronized (lock) {
      return healthRecords;
    }
  }

  /** Of those, the DEGRADED and UNHEALTHY ones. */
  long notHealthyRecords() {
    synchronized (lock) {
      return notHealthyRecords;
    }
  }

  long undecodable() {
    synchronized (lock) {
      return undecodable;
    }
  }

  List<String> recentDecisions() {
    synchronized (lock) {
      return new ArrayList<>(recentDecisions);
    }
  }

  @Override
  public void close() throws InterruptedException {
    consumer.wakeup();
    thread.join(5_000);
  }
}
