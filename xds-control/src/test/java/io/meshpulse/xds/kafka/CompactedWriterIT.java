package io.meshpulse.xds.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a writer does with the changes it has not stored yet when it closes: a close stores them, a
 * close after a lost lease drops them (its callers were told they were not stored, and the next
 * leader would not read them).
 */
class CompactedWriterIT {
  // Longer than the test: nothing is stored but by a close.
  private static final Duration NO_RETRY = Duration.ofMinutes(10);

  @Test
  void aClose_storesWhatIsQueued_aCloseAfterALostLease_dropsIt() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(MeshTopics.all(1));
      KafkaClientConfig clients = KafkaClientConfig.of(kafka.bootstrapServers());
      TopicReplay replay = new TopicReplay(clients, Topics.ROLLOUTS, "compacted-writer-it");

      CompactedWriter lost = writer(clients);
      lost.fence(() -> true);
      lost.enqueue("dropped", bytes("dropped"));
      assertThat(lost.unstored()).isEqualTo(1);
      lost.closeDiscarding();
      assertThat(lost.unstored()).as("dropped, not sent").isZero();

      CompactedWriter stopping = writer(clients);
      stopping.fence(() -> true);
      stopping.enqueue("kept", bytes("kept"));
      stopping.enqueue("removed", null);
      stopping.close();

      assertThat(keys(replay))
          .as("stored at the close; the tombstone removes nothing")
          .containsExactly("kept");
      assertThat(replay.readCompacted(Duration.ofSeconds(30), v -> Optional.of(v)).records())
          .as("records on the topic: the kept change and the tombstone, not the dropped one")
          .isEqualTo(2);
    }
  }

  private static CompactedWriter writer(KafkaClientConfig clients) {
    return new CompactedWriter(
        "rollouts",
        clients,
        "compacted-writer-it",
        Topics.ROLLOUTS,
        Duration.ofSeconds(3),
        NO_RETRY,
        new SimpleMeterRegistry());
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
}
