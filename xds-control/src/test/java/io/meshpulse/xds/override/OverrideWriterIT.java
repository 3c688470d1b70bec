package io.meshpulse.xds.override;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** An override change made while Kafka is down applies at once and is stored once Kafka is up. */
class OverrideWriterIT {
  static final EndpointId REVIEWS = new EndpointId("reviews", "127.0.0.1", 9103);

  @Test
  void aChangeWhileKafkaIsDown_appliesAtOnce_isCounted_andIsStoredWhenKafkaComesUp()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    OverrideStore store = new OverrideStore();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EndpointOverride eject = EndpointOverride.eject("o-1", REVIEWS, "node maintenance");
    List<Boolean> inForceWhenApplied = new CopyOnWriteArrayList<>();
    try (OverrideWriter writer =
        new OverrideWriter(
            store,
            () -> inForceWhenApplied.add(store.snapshot().containsKey(REVIEWS)),
            KafkaClientConfig.of("127.0.0.1:" + port),
            "override-writer-it",
            Topics.ROUTING_OVERRIDES,
            Duration.ofMillis(500),
            Duration.ofMillis(200),
            Clock.systemUTC(),
            registry)) {
      // As a leader does at start; with no broker the take-over goes on at the first write.
      assertThatThrownBy(() -> writer.fence(() -> true)).isInstanceOf(KafkaException.class);
      long start = System.nanoTime();
      boolean stored = writer.set(eject);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(stored).as("stored with no broker").isFalse();
      assertThat(took).as("time the API waited").isLessThan(Duration.ofSeconds(3));
      assertThat(store.snapshot()).as("in force in memory").containsEntry(REVIEWS, eject);
      assertThat(inForceWhenApplied)
          .as("the loop told once, with the override already in force")
          .containsExactly(true);
      assertThat(registry.get("meshpulse.overrides.store.failures").counter().count())
          .as("failures counted")
          .isGreaterThanOrEqualTo(1);
      assertThat(writer.unstored()).as("changes waiting").isEqualTo(1);

      try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(port).build().start()) {
        kafka.createTopics(MeshTopics.all(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (writer.unstored() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(writer.unstored()).as("changes waiting once Kafka is up").isZero();
        List<EndpointOverride> onTopic =
            new OverrideLogReader(
                    KafkaClientConfig.of(kafka.bootstrapServers()), Topics.ROUTING_OVERRIDES)
                .read(Duration.ofSeconds(30))
                .values();
        assertThat(onTopic).as("overrides on the topic").containsExactly(eject);
      }
    }
  }
}
