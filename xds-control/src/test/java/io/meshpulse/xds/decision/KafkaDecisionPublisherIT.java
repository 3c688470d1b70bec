package io.meshpulse.xds.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The decision log is a restart's memory: a decision made while Kafka is down reaches it once Kafka
 * is back, and the loop that made it never waits for Kafka.
 */
class KafkaDecisionPublisherIT {
  private static final Duration KEEP_FOR = Duration.ofMinutes(15);

  private static RoutingDecision decision(String cluster, Instant at) {
    return RoutingDecision.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setCluster(cluster)
        .setDecidedUnixMillis(at.toEpochMilli())
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_HEALTH)
        .build();
  }

  @Test
  void decisionsMadeWhileKafkaIsDown_reachTheLogWhenItIsBack_withoutHoldingTheCaller()
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(MeshTopics.all(1));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      KafkaClientConfig clients = KafkaClientConfig.of(kafka.bootstrapServers());
      DecisionLogReader reader = new DecisionLogReader(clients, Topics.ROUTING_DECISIONS);
      Instant start = Instant.now();
      // A delivery timeout of 6 s, so that the outage below outlasts it: the producer gives up
      // the decisions it took, or (once it knows no broker) takes none within max.block.ms, and
      // the publisher must send them again.
      try (KafkaDecisionPublisher publisher =
          new KafkaDecisionPublisher(
              clients,
              "publisher-it",
              Topics.ROUTING_DECISIONS,
              KEEP_FOR,
              Clock.systemUTC(),
              registry,
              Duration.ofSeconds(6))) {
        publisher.fence(() -> true);
        RoutingDecision before = decision("before", Instant.now());
        publisher.accept(before);
        awaitPending(publisher, 0, Duration.ofSeconds(30));

        kafka.stop();
        for (int i = 0; i < 50; i++) {
          publisher.accept(decision("during-" + i, Instant.now()));
        }
        Thread.sleep(12_000);
        assertThat(publisher.pending()).as("waiting for Kafka after 12 s").isEqualTo(50);
        assertThat(pendingGauge(registry)).as("the pending gauge").isEqualTo(50.0);
        assertThat(retries(registry))
            .as("sent again after a delivery timeout, or no metadata within max.block.ms")
            .isPositive();

        kafka.start();
        awaitPending(publisher, 0, Duration.ofSeconds(90));
        List<String> clusters =
            reader.read(start.minusSeconds(1), Duration.ofSeconds(30)).decisions().stream()
                .map(RoutingDecision::getCluster)
                .toList();
        assertThat(clusters).as("read back").contains("before").hasSizeGreaterThanOrEqualTo(51);
        for (int i = 0; i < 50; i++) {
          assertThat(clusters).as("read back").contains("during-" + i);
        }

        publisher.accept(decision("too-old", Instant.now().minus(KEEP_FOR).minusSeconds(1)));
        awaitPending(publisher, 0, Duration.ofSeconds(10));
        assertThat(unpublished(registry, "expired"))
            .as("a decision older than a restart reads back, given up")
            .isEqualTo(1.0);

        // Larger than the producer's max.request.size (1 MiB): refused for good, not retried.
        publisher.accept(
            decision("too-large", Instant.now()).toBuilder()
                .addReasons("x".repeat(2 * 1024 * 1024))
                .build());
        publisher.accept(decision("after", Instant.now()));
        awaitPending(publisher, 0, Duration.ofSeconds(30));
        assertThat(unpublished(registry, "rejected")).as("refused, given up").isEqualTo(1.0);
      }
      assertThat(unpublished(registry, "queue_full")).as("queue full").isZero();
      assertThat(unpublished(registry, "shutdown")).as("left at shutdown").isZero();
      assertThat(
              reader.read(start.minusSeconds(1), Duration.ofSeconds(30)).decisions().stream()
                  .map(RoutingDecision::getCluster))
          .as("the expired and the refused one never produced, the one after them produced")
          .doesNotContain("too-old", "too-large")
          .contains("after");
    }
  }

  private static double pendingGauge(SimpleMeterRegistry registry) {
    return registry.get("meshpulse.decisions.publish.pending").gauge().value();
  }

  private static double retries(SimpleMeterRegistry registry) {
    return registry.get("meshpulse.decisions.publish.retries").counter().count();
  }

  private static double unpublished(SimpleMeterRegistry registry, String reason) {
    return registry.get("meshpulse.decisions.unpublished").tag("reason", reason).counter().count();
  }

  private static void awaitPending(KafkaDecisionPublisher publisher, int pending, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (publisher.pending() != pending && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(publisher.pending()).as("pending after up to %s", within).isEqualTo(pending);
  }
}
