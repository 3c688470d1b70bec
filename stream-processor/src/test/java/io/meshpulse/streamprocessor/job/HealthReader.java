package io.meshpulse.streamprocessor.job;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a health topic from the beginning and remembers when each record was read. */
final class HealthReader<T extends MessageLite> implements AutoCloseable {
  record Seen<T>(T value, long readMillis, ConsumerRecord<byte[], byte[]> raw) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Parser<T> parser;
  private final List<Seen<T>> seen = new ArrayList<>();

  HealthReader(String bootstrap, String topic, Parser<T> parser, String isolation) {
    this.parser = parser;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                20),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  HealthReader(String bootstrap, String topic, Parser<T> parser) {
    this(bootstrap, topic, parser, "read_uncommitted");
  }

  /** Polls once (up to 50 ms) and returns everything read so far. */
  List<Seen<T>> poll() {
    var records = consumer.poll(Duration.ofMillis(50));
    long now = System.currentTimeMillis();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null) {
        continue; // a tombstone: an endpoint forgotten after a window without traffic
      }
      try {
        seen.add(new Seen<>(parser.parseFrom(r.value()), now, r));
      } catch (Exception e) {
        throw new AssertionError("unreadable record on " + r.topic(), e);
      }
    }
    return seen;
  }

  /** Polls until a record matches or {@code timeout} passes; returns the first match or null. */
  Seen<T> awaitFirst(Predicate<T> condition, Duration timeout) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    int from = 0;
    while (System.currentTimeMillis() < deadline) {
      List<Seen<T>> all = poll();
      for (int i = from; i < all.size(); i++) {
        if (condition.test(all.get(i).value())) {
          return all.get(i);
        }
      }
      from = all.size();
    }
    return null;
  }

  /** Keeps polling for {@code duration}. */
  void drain(Duration duration) {
    long deadline = System.currentTimeMillis() + duration.toMillis();
    while (System.currentTimeMillis() < deadline) {
      poll();
    }
  }

  List<Seen<T>> all() {
    return seen;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
