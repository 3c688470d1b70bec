package io.meshpulse.xds.rolloutstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.rollout.Rollout;
import io.meshpulse.xds.rollout.RolloutSpec;
import io.meshpulse.xds.rollout.RolloutState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/**
 * A rollout change made while Kafka is down is reported unstored, waited for no longer than the
 * write's wait, and stored once Kafka comes up.
 */
class RolloutTopicIT {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aChangeWhileKafkaIsDown_isReportedUnstored_andIsStoredWhenKafkaComesUp() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    RolloutSpec spec =
        RolloutSpec.builder()
            .service("reviews")
            .canary("v2")
            .stable("v1")
            .stepPercent(10)
            .interval(Duration.ofSeconds(5))
            .build();
    Rollout at30 = new Rollout(spec, RolloutState.PROGRESSING, 30, T0, "canary health good", T0);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RolloutTopic topic =
        new RolloutTopic(
            KafkaClientConfig.of("127.0.0.1:" + port),
            "rollout-topic-it",
            Topics.ROLLOUTS,
            Duration.ofMillis(500),
            Duration.ofMillis(200),
            registry)) {
      assertThat(topic.stored(spec.key())).as("stored before any change").isTrue();
      // As a leader does at start; with no broker the take-over goes on at the first write.
      assertThatThrownBy(() -> topic.fence(() -> true)).isInstanceOf(KafkaException.class);

      topic.changed(at30);
      long start = System.nanoTime();
      boolean stored = topic.awaitStored(spec.key());
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(stored).as("stored with no broker").isFalse();
      assertThat(took).as("time the API waited").isLessThan(Duration.ofSeconds(3));
      assertThat(topic.stored(spec.key())).as("the change reported unstored").isFalse();
      assertThat(topic.unstored()).as("changes waiting").isEqualTo(1);
      assertThat(registry.get("meshpulse.rollouts.store.failures").counter().count())
          .as("failures counted")
          .isGreaterThanOrEqualTo(1);

      try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(port).build().start()) {
        kafka.createTopics(MeshTopics.all(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!topic.stored(spec.key()) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(topic.stored(spec.key())).as("stored once Kafka is up").isTrue();
        assertThat(topic.unstored()).as("changes waiting once Kafka is up").isZero();
        assertThat(topic.read(Duration.ofSeconds(30)).values())
            .as("the rollout on the topic")
            .containsExactly(at30);

        topic.removed(spec.key());
        assertThat(topic.awaitStored(spec.key())).as("the removal stored at once").isTrue();
        assertThat(topic.read(Duration.ofSeconds(30)).values())
            .as("nothing left after the tombstone")
            .isEmpty();
      }
    }
  }
}
