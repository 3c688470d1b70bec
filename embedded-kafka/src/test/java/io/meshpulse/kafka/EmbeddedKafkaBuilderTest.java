package io.meshpulse.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.model.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBuilderTest {
  @Test
  void port_outOfRange_isRejectedNamingTheSetting() {
    assertThatThrownBy(() -> EmbeddedKafka.builder().port(70_000))
        .as("port 70000")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }

  @Test
  void sameClientAndControllerPort_isRejected() {
    assertThatThrownBy(() -> EmbeddedKafka.builder().port(19092).controllerPort(19092).build())
        .as("equal ports")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must differ");
  }

  @Test
  void meshTopics_coverEveryTopic_withCompactionOnlyOnLatestStateTopics() {
    assertThat(MeshTopics.all(3))
        .extracting(TopicSpec::name)
        .as("topic names")
        .containsExactlyElementsOf(Topics.ALL);
    for (TopicSpec spec : MeshTopics.all(3)) {
      boolean compacted = "compact".equals(spec.configs().get("cleanup.policy"));
      assertThat(compacted)
          .as("%s compacted", spec.name())
          .isEqualTo(Topics.COMPACTED.contains(spec.name()));
    }
  }

  @Test
  void topicSpec_rejectsZeroPartitions() {
    assertThatThrownBy(() -> new TopicSpec("t", 0, Map.of()))
        .as("zero partitions")
        .hasMessageContaining("partitions");
  }
}
