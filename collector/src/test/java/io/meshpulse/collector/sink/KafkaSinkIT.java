package io.meshpulse.collector.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.collector.TopicReader;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.TopicSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The sink against a real broker (topics are not created automatically). */
class KafkaSinkIT {
  private static final String PRESENT = "present";
  private static final String MISSING = "missing";
  private static final int RECORDS = 500;

  @Test
  void aTopicCreatedLate_getsEveryRecordInOrder_whileTheOtherTopicFlows() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(List.of(new TopicSpec(PRESENT, 1, Map.of())));
      RecordBuffer buffer =
          new RecordBuffer(new BufferLimits(10_000, 10_000_000, 20_000, 20_000_000));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                  ProducerConfig.MAX_BLOCK_MS_CONFIG, 200,
                  ProducerConfig.LINGER_MS_CONFIG, 2),
              new ByteArraySerializer(),
              new ByteArraySerializer());
      KafkaSink sink =
          new KafkaSink(buffer, producer, new CollectorMetrics(registry), Duration.ofSeconds(5));
      sink.start();
      try {
        for (int batch = 0; batch < RECORDS / 50; batch++) {
          List<OutgoingRecord> records = new ArrayList<>();
          for (int i = batch * 50; i < batch * 50 + 50; i++) {
            records.add(record(MISSING, i));
            records.add(record(PRESENT, i));
          }
          buffer.offer(records);
        }

        List<String> present =
            values(
                TopicReader.read(
                    kafka.bootstrapServers(),
                    PRESENT,
                    RECORDS,
                    Duration.ofSeconds(30),
                    Duration.ZERO));
        long heldWhileMissing = buffer.records();
        kafka.createTopics(List.of(new TopicSpec(MISSING, 1, Map.of())));
        List<String> missing =
            values(
                TopicReader.read(
                    kafka.bootstrapServers(),
                    MISSING,
                    RECORDS,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(1)));

        assertThat(present)
            .as("the present topic, while the other was missing")
            .isEqualTo(expected());
        assertThat(heldWhileMissing).as("the missing topic's records held").isEqualTo(RECORDS);
        assertThat(missing)
            .as("the late topic: every record, in order, once")
            .isEqualTo(expected());
        assertThat(
                registry
                    .get("meshpulse.collector.produce.retries")
                    .tag("topic", MISSING)
                    .counter()
                    .count())
            .as("retries of the missing topic")
            .isPositive();
      } finally {
        sink.close();
      }
      assertThat(buffer.records()).as("buffer after close").isZero();
      assertThat(
              registry.find("meshpulse.collector.records.dropped").counters().stream()
                  .mapToDouble(Counter::count)
                  .sum())
          .as("dropped")
          .isZero();
    }
  }

  private static OutgoingRecord record(String topic, int i) {
    return new OutgoingRecord(
        topic, new byte[] {1}, String.valueOf(i).getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> expected() {
    return IntStream.range(0, RECORDS).mapToObj(String::valueOf).toList();
  }

  private static List<String> values(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }
}
