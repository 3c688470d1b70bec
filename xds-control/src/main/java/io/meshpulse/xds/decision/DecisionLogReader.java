package io.meshpulse.xds.decision;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.v1.RoutingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the routing-decisions topic back from a point in time to its end as it is when the read
 * starts: what a restarted xds-control rebuilds its policy's memory from. A record that does not
 * decode is skipped and counted.
 */
public final class DecisionLogReader {
  private static final Logger logger = LoggerFactory.getLogger(DecisionLogReader.class);

  private final String bootstrapServers;
  private final String topic;

  public DecisionLogReader(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  /** What a read returned: the decisions, and how many records did not decode. */
  public record Read(List<RoutingDecision> decisions, int malformed) {}

  /**
   * @param since the oldest decision time to read
   * @param timeout for the whole read
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public Read read(Instant since, Duration timeout) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "meshpulse-xds-decision-log");
    List<RoutingDecision> decisions = new ArrayList<>();
    int malformed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline));
      if (infos == null || infos.isEmpty()) {
        return new Read(List.of(), 0);
      }
      List<TopicPartition> partitions = new ArrayList<>();
      Map<TopicPartition, Long> from = new HashMap<>();
      for (PartitionInfo info : infos) {
        TopicPartition tp = new TopicPartition(topic, info.partition());
        partitions.add(tp);
        from.put(tp, since.toEpochMilli());
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, remaining(deadline));
      Map<TopicPartition, OffsetAndTimestamp> starts =
          consumer.offsetsForTimes(from, remaining(deadline));
      Set<TopicPartition> open = new HashSet<>();
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp start = starts.get(tp);
        if (start != null && start.offset() < ends.get(tp)) {
          consumer.seek(tp, start.offset());
          open.add(tp);
        }
      }
      while (!open.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "the decision log " + topic + " was not read to its end in " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() >= ends.get(tp) || r.value() == null) {
            continue;
          }
          try {
            decisions.add(RoutingDecision.parseFrom(r.value()));
          } catch (InvalidProtocolBufferException e) {
            malformed++;
          }
        }
        open.removeIf(tp -> consumer.position(tp, remaining(deadline)) >= ends.get(tp));
      }
    }
    if (malformed > 0) {
      logger.warn("skipped undecodable decisions topic={} count={}", topic, malformed);
    }
    return new Read(decisions, malformed);
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }
}
