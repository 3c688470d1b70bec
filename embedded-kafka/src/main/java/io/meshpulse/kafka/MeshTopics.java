package io.meshpulse.kafka;

import io.meshpulse.model.Topics;
import java.util.List;
import java.util.Map;

/**
 * The platform's topics with their configs: the two health topics and the operator overrides keep
 * only the latest record per key (compaction), the access records and stats are short-lived, the
 * decision log is kept for a week as an audit trail.
 */
public final class MeshTopics {
  /** Compaction settings of the health and override topics; tests check them on the broker. */
  public static final Map<String, String> COMPACTED_CONFIGS =
      Map.of(
          "cleanup.policy", "compact",
          "min.cleanable.dirty.ratio", "0.1",
          "segment.ms", "600000",
          "delete.retention.ms", "3600000");

  private MeshTopics() {}

  /** Every topic of the platform with {@code partitions} partitions each. */
  public static List<TopicSpec> all(int partitions) {
    return List.of(
        new TopicSpec(
            Topics.ACCESS_RECORDS,
            partitions,
            Map.of("retention.ms", hours(6), "compression.type", "producer")),
        new TopicSpec(Topics.PROXY_STATS, partitions, Map.of("retention.ms", hours(6))),
        new TopicSpec(Topics.ENDPOINT_HEALTH, partitions, COMPACTED_CONFIGS),
        new TopicSpec(Topics.SERVICE_HEALTH, partitions, COMPACTED_CONFIGS),
        new TopicSpec(Topics.ROUTING_DECISIONS, partitions, Map.of("retention.ms", hours(24 * 7))),
        new TopicSpec(Topics.ROUTING_OVERRIDES, partitions, COMPACTED_CONFIGS),
        new TopicSpec(Topics.ROLLOUTS, partitions, COMPACTED_CONFIGS),
        new TopicSpec(Topics.DEAD_LETTERS, 1, Map.of("retention.ms", hours(24 * 7))));
  }

  private static String hours(long hours) {
    return Long.toString(hours * 3_600_000L);
  }
}
