package io.meshpulse.xds.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.testing.TcpRelay;
import io.meshpulse.xds.decision.DecisionLogReader;
import io.meshpulse.xds.decision.KafkaDecisionPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A leader cut off from Kafka by a network partition may have a write in flight, held in the
 * network, when its successor takes over. Once the partition heals that write reaches the brokers;
 * the successor's take-over of the writes' transactional id must keep it from ever being read, by
 * the successor or by any later start. The old leader's connections go through a relay that holds
 * every byte while cut, as a partition does.
 */
class TakeOverIT {
  private static final String APP_ID = "take-over-it";
  private static final Duration WAIT = Duration.ofSeconds(1);
  // Longer than the test: the writers store only when told to.
  private static final Duration NO_RETRY = Duration.ofMinutes(10);

  @Test
  void aChangeHeldUpInAPartition_whenASuccessorTakesOver_isNeverRead() throws Exception {
    try (TcpRelay relay = TcpRelay.open();
        EmbeddedKafka kafka =
            EmbeddedKafka.builder().port(0).relayedListener(relay.port()).build().start()) {
      relay.forwardTo(kafka.relayedListenerPort());
      kafka.createTopics(MeshTopics.all(1));
      KafkaClientConfig direct = KafkaClientConfig.of(kafka.bootstrapServers());
      TopicReplay replay = new TopicReplay(direct, Topics.ROUTING_OVERRIDES, "take-over-it");
      AtomicBoolean oldLeads = new AtomicBoolean(true);
      try (CompactedWriter old = writer(KafkaClientConfig.of(kafka.relayedBootstrapServers()));
          CompactedWriter successor = writer(direct)) {
        old.fence(oldLeads::get);
        old.enqueue("stored", bytes("stored"));
        assertThat(old.flush("stored")).isTrue();

        relay.cut();
        old.enqueue("held", bytes("held"));
        assertThat(old.flush("held")).as("held up in the partition").isFalse();
        // Its lease lapses, half a lease before anyone else can take over. What it sent stays in
        // the network.
        oldLeads.set(false);

        successor.fence(() -> true);
        assertThat(keys(replay)).as("what the successor reads back").containsExactly("stored");
        successor.enqueue("successor", bytes("successor"));
        assertThat(successor.flush("successor")).isTrue();

        relay.heal();
        // What the partition held reaches the broker now; a later start must not read it. Nor
        // may the old leader, its writer still open, write again or take the writes back.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
          assertThat(old.flush("held")).as("the old leader, after its lease").isFalse();
          assertThat(keys(replay)).as("read after the heal").doesNotContain("held");
          Thread.sleep(200);
        }
        assertThat(keys(replay)).containsExactlyInAnyOrder("stored", "successor");
        successor.enqueue("after", bytes("after"));
        assertThat(successor.flush("after")).as("the successor still writes").isTrue();
        assertThat(successor.producerRemade()).as("not fenced by the late requests").isZero();
      }
    }
  }

  /**
   * The hazard the transactions are for, shown with a plain producer: a record sent into a
   * partition lands once it heals, although its producer was closed long before.
   */
  @Test
  void aPlainProducersRecordHeldUpInAPartition_landsAfterTheHeal() throws Exception {
    try (TcpRelay relay = TcpRelay.open();
        EmbeddedKafka kafka =
            EmbeddedKafka.builder().port(0).relayedListener(relay.port()).build().start()) {
      relay.forwardTo(kafka.relayedListenerPort());
      kafka.createTopics(MeshTopics.all(1));
      TopicReplay replay =
          new TopicReplay(
              KafkaClientConfig.of(kafka.bootstrapServers()),
              Topics.ROUTING_OVERRIDES,
              "take-over-it");
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.relayedBootstrapServers());
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
      try (KafkaProducer<String, byte[]> plain =
          new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
        plain.send(new ProducerRecord<>(Topics.ROUTING_OVERRIDES, "stored", bytes("stored"))).get();
        relay.cut();
        plain.send(new ProducerRecord<>(Topics.ROUTING_OVERRIDES, "held", bytes("held")));
        Thread.sleep(500);
        plain.close(Duration.ZERO);
      }
      assertThat(keys(replay)).containsExactly("stored");

      relay.heal();
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!keys(replay).contains("held") && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      assertThat(keys(replay)).as("landed after the heal").contains("held");
    }
  }

  @Test
  void twoInstancesThatBothWrite_takeTheWritesBackInTurn_andNeitherStops() throws Exception {
    // One application id without leader election: each start takes the writes over from the
    // other, and a writer fenced while it is open makes its producer again.
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(MeshTopics.all(1));
      KafkaClientConfig clients = KafkaClientConfig.of(kafka.bootstrapServers());
      TopicReplay replay = new TopicReplay(clients, Topics.ROUTING_OVERRIDES, "take-over-it");
      try (CompactedWriter first = writer(clients);
          CompactedWriter second = writer(clients)) {
        first.fence(() -> true);
        first.enqueue("first-1", bytes("first-1"));
        assertThat(first.flush("first-1")).isTrue();
        second.fence(() -> true);
        second.enqueue("second-1", bytes("second-1"));
        assertThat(second.flush("second-1")).isTrue();

        // Fenced: the write fails (its epoch is old), the abort finds the producer fenced and
        // makes it again, and the next write takes the id back.
        first.enqueue("first-2", bytes("first-2"));
        assertThat(attemptsToStore(first, "first-2"))
            .as("attempts, the first fenced")
            .isBetween(2, 3);
        second.enqueue("second-2", bytes("second-2"));
        assertThat(attemptsToStore(second, "second-2")).isBetween(2, 3);

        assertThat(first.producerRemade()).isEqualTo(1);
        assertThat(second.producerRemade()).isEqualTo(1);
        assertThat(keys(replay))
            .containsExactlyInAnyOrder("first-1", "second-1", "first-2", "second-2");
      }
    }
  }

  @Test
  void aPublisher_writesOnlyWhileItsInstanceLeads() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(MeshTopics.all(1));
      KafkaClientConfig clients = KafkaClientConfig.of(kafka.bootstrapServers());
      DecisionLogReader reader = new DecisionLogReader(clients, Topics.ROUTING_DECISIONS);
      Instant start = Instant.now().minusSeconds(1);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      AtomicBoolean leads = new AtomicBoolean(true);
      KafkaDecisionPublisher publisher = publisher(clients, registry);
      try {
        publisher.accept(decision("queued-before"));
        Thread.sleep(1_000);
        assertThat(publisher.pending()).as("held until the take-over").isEqualTo(1);
        assertThat(reader.read(start, Duration.ofSeconds(30)).decisions()).isEmpty();

        publisher.fence(leads::get);
        publisher.accept(decision("after"));
        awaitPending(publisher, 0);

        leads.set(false); // the lease lapsed
        publisher.accept(decision("late"));
        Thread.sleep(1_000);
        assertThat(publisher.pending()).as("held: the instance no longer leads").isEqualTo(1);
      } finally {
        publisher.close();
      }
      assertThat(publisher.pending()).isZero();
      assertThat(
              registry
                  .get("meshpulse.decisions.unpublished")
                  .tag("reason", "shutdown")
                  .counter()
                  .count())
          .as("the late one, counted at the close")
          .isEqualTo(1.0);
      assertThat(
              reader.read(start, Duration.ofSeconds(30)).decisions().stream()
                  .map(RoutingDecision::getCluster))
          .as("in the order they were made, nothing after the lease")
          .containsExactly("queued-before", "after");
    }
  }

  private static CompactedWriter writer(KafkaClientConfig clients) {
    return new CompactedWriter(
        "overrides",
        clients,
        APP_ID,
        Topics.ROUTING_OVERRIDES,
        WAIT,
        NO_RETRY,
        new SimpleMeterRegistry());
  }

  /** Flushes the key until it is stored, at most 5 times; returns how many flushes it took. */
  private static int attemptsToStore(CompactedWriter writer, String key) {
    for (int attempt = 1; attempt <= 5; attempt++) {
      if (writer.flush(key)) {
        return attempt;
      }
    }
    return Integer.MAX_VALUE;
  }

  private static KafkaDecisionPublisher publisher(
      KafkaClientConfig clients, SimpleMeterRegistry registry) {
    return new KafkaDecisionPublisher(
        clients,
        APP_ID,
        Topics.ROUTING_DECISIONS,
        Duration.ofMinutes(15),
        Clock.systemUTC(),
        registry);
  }

  private static RoutingDecision decision(String cluster) {
    return RoutingDecision.newBuilder()
        .setId(cluster)
        .setCluster(cluster)
        .setDecidedUnixMillis(System.currentTimeMillis())
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_HEALTH)
        .build();
  }

  private static List<String> keys(TopicReplay replay) throws Exception {
    return replay
        .readCompacted(
            Duration.ofSeconds(30), v -> Optional.of(new String(v, StandardCharsets.UTF_8)))
        .values();
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static void awaitPending(KafkaDecisionPublisher publisher, int pending)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (publisher.pending() != pending && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(publisher.pending()).isEqualTo(pending);
  }
}
