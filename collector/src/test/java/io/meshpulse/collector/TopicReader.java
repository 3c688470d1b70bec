package io.meshpulse.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.AccessRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning in a test. */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Reads {@code topic} until {@code expected} records arrived or {@code timeout} passed, then goes
   * on reading for {@code settle} to catch any surplus.
   */
  public static List<ConsumerRecord<String, byte[]>> read(
      String bootstrapServers, String topic, int expected, Duration timeout, Duration settle) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.GROUP_ID_CONFIG,
            "test-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            5000);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      long settleUntil = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < settleUntil) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * The request ids of the access records on the topic, read again until {@code last} is among them
   * or {@code timeout} passed.
   */
  public static List<String> requestIds(String bootstrapServers, String last, Duration timeout) {
    List<String> ids = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !ids.contains(last)) {
      ids.clear();
      for (ConsumerRecord<String, byte[]> record :
          read(
              bootstrapServers,
              Topics.ACCESS_RECORDS,
              Integer.MAX_VALUE,
              Duration.ofSeconds(2),
              Duration.ZERO)) {
        try {
          ids.add(AccessRecord.parseFrom(record.value()).getRequestId());
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException("not an AccessRecord on " + Topics.ACCESS_RECORDS, e);
        }
      }
    }
    return ids;
  }
}
