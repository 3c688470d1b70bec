package io.meshpulse.collector.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.collector.TopicReader;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.TopicSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The sink against a real broker (topics are not created automatically). */
class KafkaSinkIT {
  private static final String PRESENT = "present";
  private static final String MISSING = "missing";
  private static final int RECORDS = 500;
  // The collector's default max.block.ms: what one send may wait for a missing topic's metadata.
  private static final int MAX_BLOCK_MS = 1000;
  private static final Duration PACE = Duration.ofMillis(2);
  private static final Duration TRAFFIC = Duration.ofSeconds(4);

  @Test
  void aMissingTopic_doesNotDelayTheOtherTopicsRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(List.of(new TopicSpec(PRESENT, 1, Map.of())));
      RecordBuffer buffer =
          new RecordBuffer(new BufferLimits(100_000, 100_000_000, 200_000, 200_000_000));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      int expected = (int) (TRAFFIC.toNanos() / PACE.toNanos());
      AckTimingProducer producer =
          new AckTimingProducer(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  kafka.bootstrapServers(),
                  ProducerConfig.MAX_BLOCK_MS_CONFIG,
                  MAX_BLOCK_MS,
                  ProducerConfig.LINGER_MS_CONFIG,
                  2),
              expected);
      // One record of the present topic first, so that its metadata is known before the clock runs.
      buffer.offer(List.of(record(PRESENT, -1)));
      KafkaSink sink =
          new KafkaSink(buffer, producer, new CollectorMetrics(registry), Duration.ofSeconds(5));
      sink.start();
      try {
        TopicReader.read(
            kafka.bootstrapServers(), PRESENT, 1, Duration.ofSeconds(30), Duration.ZERO);

        // Access records every 2 ms, stats every 100 ms, the stats topic missing throughout.
        long start = System.nanoTime();
        for (int i = 0; i < expected; i++) {
          LockSupport.parkNanos(start + i * PACE.toNanos() - System.nanoTime());
          producer.enqueued[i] = System.nanoTime();
          List<OutgoingRecord> batch = new ArrayList<>(2);
          batch.add(record(PRESENT, i));
          if (i % 50 == 0) {
            batch.add(record(MISSING, i));
          }
          buffer.offer(batch);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (producer.acked.get() < expected && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }

        long[] handedOver = report("enqueue to send", producer.sentAt, producer.enqueued);
        report("enqueue to ack", producer.ackedAt, producer.enqueued);
        assertThat(producer.acked.get()).as("present records acknowledged").isEqualTo(expected);
        // Measured to the producer's send (not its acknowledgement, which a busy broker or
        // machine can delay too): what the sink thread makes the present topic wait. A sink
        // that sent to the missing topic on its own thread would hold it max.block each time.
        assertThat(handedOver[handedOver.length - 1])
            .as(
                "the longest a present record waited for the sink, in ms (max.block is %d ms)",
                MAX_BLOCK_MS)
            .isLessThan(MAX_BLOCK_MS);
        assertThat(missingTopicRetries(registry)).as("retries of the missing topic").isPositive();
      } finally {
        sink.close();
      }
    }
  }

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
        long createdAt = System.currentTimeMillis();
        kafka.createTopics(List.of(new TopicSpec(MISSING, 1, Map.of())));
        List<ConsumerRecord<String, byte[]>> late =
            TopicReader.read(
                kafka.bootstrapServers(),
                MISSING,
                RECORDS,
                Duration.ofSeconds(60),
                Duration.ofSeconds(1));
        List<String> missing = values(late);

        assertThat(present)
            .as("the present topic, while the other was missing")
            .isEqualTo(expected());
        assertThat(heldWhileMissing).as("the missing topic's records held").isEqualTo(RECORDS);
        assertThat(missing)
            .as("the late topic: every record, in order, once")
            .isEqualTo(expected());
        assertThat(late)
            .as("the late topic's records keep the time they were admitted, before it existed")
            .allMatch(r -> r.timestamp() < createdAt);
        assertThat(missingTopicRetries(registry)).as("retries of the missing topic").isPositive();
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

  private static double missingTopicRetries(MeterRegistry registry) {
    return registry
        .get("meshpulse.collector.produce.retries")
        .tag("topic", MISSING)
        .counter()
        .count();
  }

  /** Prints and returns the sorted latencies, in ms, of the records that have both times. */
  private static long[] report(String what, long[] at, long[] enqueued) {
    long[] latencies =
        IntStream.range(0, enqueued.length)
            .filter(i -> at[i] != 0)
            .mapToLong(i -> (at[i] - enqueued[i]) / 1_000_000)
            .sorted()
            .toArray();
    System.out.printf(
        "present topic, %s, ms: p50=%d p99=%d max=%d records>=200ms=%d of %d%n",
        what,
        latencies[latencies.length / 2],
        latencies[latencies.length * 99 / 100],
        latencies[latencies.length - 1],
        Arrays.stream(latencies).filter(l -> l >= 200).count(),
        latencies.length);
    return latencies;
  }

  /** A producer that notes when each record of the present topic was sent and acknowledged. */
  private static final class AckTimingProducer extends KafkaProducer<byte[], byte[]> {
    final long[] enqueued;
    final long[] sentAt;
    final long[] ackedAt;
    final AtomicInteger acked = new AtomicInteger();

    AckTimingProducer(Map<String, Object> config, int records) {
      super(config, new ByteArraySerializer(), new ByteArraySerializer());
      enqueued = new long[records];
      sentAt = new long[records];
      ackedAt = new long[records];
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      int i = Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8));
      boolean timed = record.topic().equals(PRESENT) && i >= 0;
      Future<RecordMetadata> future =
          super.send(
              record,
              (metadata, exception) -> {
                if (exception == null && timed) {
                  ackedAt[i] = System.nanoTime();
                  acked.incrementAndGet();
                }
                callback.onCompletion(metadata, exception);
              });
      if (timed) {
        sentAt[i] = System.nanoTime();
      }
      return future;
    }
  }

  private static OutgoingRecord record(String topic, int i) {
    return new OutgoingRecord(
        topic,
        new byte[] {1},
        String.valueOf(i).getBytes(StandardCharsets.UTF_8),
        System.currentTimeMillis());
  }

  private static List<String> expected() {
    return IntStream.range(0, RECORDS).mapToObj(String::valueOf).toList();
  }

  private static List<String> values(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }
}
