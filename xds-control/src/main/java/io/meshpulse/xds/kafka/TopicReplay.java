package io.meshpulse.xds.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic back, from a point in time or from its beginning, to its end as it is when the read
 * starts: what a restarting xds-control rebuilds its memory from. No consumer group, nothing
 * committed; every partition is read in offset order, tombstones included. Only committed records
 * are read ({@code read_committed}), to the last stable offset: xds-control writes its topics in
 * transactions ({@link TransactionalProducer}).
 */
public final class TopicReplay {
  private static final Logger logger = LoggerFactory.getLogger(TopicReplay.class);

  private final KafkaClientConfig kafka;
  private final String topic;
  private final String clientId;

  public TopicReplay(KafkaClientConfig kafka, String topic, String clientId) {
    this.kafka = kafka;
    this.topic = topic;
    this.clientId = clientId;
  }

  public String topic() {
    return topic;
  }

  /**
   * @param since the oldest record time to read; {@code null} reads from the beginning
   * @param timeout for the whole read
   * @param each called with every record below the end offsets, in offset order per partition
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public void read(
      @Nullable Instant since, Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> each)
      throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties p =
        kafka.client(
            "reader of " + topic,
            Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                // Only what a leader committed: a write of one that lost its lease is aborted.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG,
                clientId));
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline));
      if (infos == null || infos.isEmpty()) {
        return;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : infos) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, remaining(deadline));
      Map<TopicPartition, Long> starts = starts(consumer, partitions, since, deadline);
      Set<TopicPartition> open = new HashSet<>();
      for (TopicPartition tp : partitions) {
        Long start = starts.get(tp);
        if (start != null && start < ends.get(tp)) {
          consumer.seek(tp, start);
          open.add(tp);
        }
      }
      while (!open.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("topic " + topic + " was not read to its end in " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
            each.accept(r);
          }
        }
        open.removeIf(tp -> consumer.position(tp, remaining(deadline)) >= ends.get(tp));
      }
    }
  }

  /** A record value's decoding: empty when it holds nothing valid. */
  @FunctionalInterface
  public interface Decoder<T> {
    Optional<T> decode(byte[] value) throws InvalidProtocolBufferException;
  }

  /**
   * A compacted topic's state.
   *
   * @param values the latest value of each key, decoded
   * @param records the records read, tombstones included
   * @param malformed the latest values that did not decode, or decoded to nothing valid; skipped
   */
  public record Compacted<T>(List<T> values, int records, int malformed) {}

  /**
   * Reads a compacted topic from its beginning: the latest record of each key is its value, a
   * tombstone removes it; records without a key are read and skipped. Values that do not decode are
   * skipped, counted and logged.
   *
   * @throws TimeoutException when the topic's end was not reached in time
   */
  public <T> Compacted<T> readCompacted(Duration timeout, Decoder<T> decoder)
      throws TimeoutException {
    Map<String, byte[]> latest = new LinkedHashMap<>();
    int[] records = {0};
    read(
        null,
        timeout,
        r -> {
          records[0]++;
          if (r.key() == null) {
            return;
          }
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null) {
            latest.remove(key);
          } else {
            latest.put(key, r.value());
          }
        });
    List<T> decoded = new ArrayList<>();
    int malformed = 0;
    for (byte[] value : latest.values()) {
      Optional<T> v;
      try {
        v = decoder.decode(value);
      } catch (InvalidProtocolBufferException e) {
        v = Optional.empty();
      }
      if (v.isPresent()) {
        decoded.add(v.get());
      } else {
        malformed++;
      }
    }
    if (malformed > 0) {
      logger.warn("skipped undecodable records topic={} count={}", topic, malformed);
    }
    return new Compacted<>(decoded, records[0], malformed);
  }

  /** Each partition's first offset to read; absent when nothing is as recent as {@code since}. */
  private static Map<TopicPartition, Long> starts(
      KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> partitions,
      @Nullable Instant since,
      long deadline) {
    if (since == null) {
      return consumer.beginningOffsets(partitions, remaining(deadline));
    }
    Map<TopicPartition, Long> from = new HashMap<>();
    for (TopicPartition tp : partitions) {
      from.put(tp, since.toEpochMilli());
    }
    Map<TopicPartition, Long> starts = new HashMap<>();
    for (Map.Entry<TopicPartition, OffsetAndTimestamp> e :
        consumer.offsetsForTimes(from, remaining(deadline)).entrySet()) {
      if (e.getValue() != null) {
        starts.put(e.getKey(), e.getValue().offset());
      }
    }
    return starts;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }
}
