package io.meshpulse.kafka;

import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/** A topic to create: its name, partition count and topic-level configs. */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {
  public TopicSpec {
    if (name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    configs = Map.copyOf(configs);
  }

  NewTopic toNewTopic(short replicationFactor) {
    return new NewTopic(name, partitions, replicationFactor).configs(configs);
  }
}
