package io.meshpulse.bench.stream;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.streamprocessor.job.HealthJobOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Delay under a steady live load: a producer sends {@code rate} records/s round-robin over the
 * fleet, each record's event time being the moment it is handed to the producer; a reader of the
 * endpoint-health topic notes when each (endpoint, window) score becomes readable. A record's delay
 * is the read time of the first window that contains it (the one ending at the next slide boundary)
 * minus its send time. Records of the first {@code warmUp} are not measured.
 */
final class LiveRun {
  record Result(
      long sent,
      long read,
      long measured,
      long missing,
      long p50,
      long p90,
      long p99,
      long max,
      long lateRecords,
      JobRun.CheckpointSize checkpoint) {}

  private final EmbeddedKafka kafka;
  private final MiniCluster cluster;
  private final JobMetricsScrape metrics;
  private final PrintStream progress;

  LiveRun(
      EmbeddedKafka kafka, MiniCluster cluster, JobMetricsScrape metrics, PrintStream progress) {
    this.kafka = kafka;
    this.cluster = cluster;
    this.metrics = metrics;
    this.progress = progress;
  }

  Result run(
      Fleet fleet, int rate, Duration warmUp, Duration measured, Configuration conf, int partitions)
      throws Exception {
    String in = conf.get(HealthJobOptions.ACCESS_RECORDS_TOPIC);
    String out = conf.get(HealthJobOptions.ENDPOINT_HEALTH_TOPIC);
    AtomicBoolean reading = new AtomicBoolean(true);

    try (JobRun job = JobRun.submit(cluster, conf, "bench-live")) {
      job.awaitRunning(Duration.ofSeconds(60));
      // Every window end from now to well after the last record sent (2 s + warm-up + measured
      // + 3 s).
      ScoreTimes scores =
          new ScoreTimes(
              fleet.endpoints(),
              conf.get(HealthJobOptions.WINDOW_SLIDE),
              System.currentTimeMillis(),
              warmUp.plus(measured).plusSeconds(20));
      Thread reader =
          new Thread(() -> read(out, partitions, scores, reading), "bench-health-reader");
      reader.start();
      Thread.sleep(2_000);

      long measureFrom = System.currentTimeMillis() + warmUp.toMillis();
      long measureTo = measureFrom + measured.toMillis();
      // Traffic goes on for 3 s after the measured records, so that their windows close: event
      // time only advances with newer records.
      long stopAt = measureTo + 3_000;
      List<long[]> sentRecords = new ArrayList<>();
      long sent;
      long[] chunk = new long[0];
      int used = 0;
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      config.put(ProducerConfig.ACKS_CONFIG, "1");
      config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      progress.printf(
          "live: %,d records/s over %,d endpoints, %d s warm-up, %d s measured%n",
          rate, fleet.endpoints(), warmUp.toSeconds(), measured.toSeconds());
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(5);
        double perTick = rate / 200.0;
        double owed = 0;
        int endpoint = 0;
        long sentTotal = 0;
        long next = System.nanoTime();
        while (true) {
          long now = System.currentTimeMillis();
          if (now >= stopAt) {
            break;
          }
          owed += perTick;
          for (; owed >= 1; owed--) {
            producer.send(
                new ProducerRecord<>(in, fleet.key(endpoint), fleet.record(endpoint, now)));
            if (now >= measureFrom && now < measureTo) {
              if (used == chunk.length) {
                chunk = new long[2 * 65_536];
                sentRecords.add(chunk);
                used = 0;
              }
              chunk[used++] = endpoint;
              chunk[used++] = now;
            }
            endpoint = (endpoint + 1) % fleet.endpoints();
            sentTotal++;
          }
          next += tickNanos;
          long sleep = next - System.nanoTime();
          if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(sleep);
          }
        }
        sent = sentTotal;
      }
      Thread.sleep(5_000);
      long read = metrics.sum("records_in", "bench-live");
      reading.set(false);
      reader.join(10_000);

      List<Long> delays = new ArrayList<>();
      long missing = 0;
      for (int c = 0; c < sentRecords.size(); c++) {
        long[] records = sentRecords.get(c);
        int n = c == sentRecords.size() - 1 ? used : records.length;
        for (int i = 0; i < n; i += 2) {
          long t = records[i + 1];
          OptionalLong seen = scores.firstScoreRead((int) records[i], t);
          if (seen.isEmpty()) {
            missing++;
          } else {
            delays.add(seen.getAsLong() - t);
          }
        }
      }
      long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Result(
          sent,
          read,
          sorted.length,
          missing,
          quantile(sorted, 0.50),
          quantile(sorted, 0.90),
          quantile(sorted, 0.99),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1],
          metrics.sum("late_records_dropped", "bench-live"),
          job.largestCheckpoint().orElse(new JobRun.CheckpointSize(-1, 0, 0)));
    }
  }

  private void read(String topic, int partitions, ScoreTimes scores, AtomicBoolean reading) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", kafka.bootstrapServers());
    config.put("fetch.max.wait.ms", 10);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.currentTimeMillis();
          if (r.value() == null) {
            continue; // a tombstone: an endpoint without traffic for a window
          }
          EndpointHealth h = EndpointHealth.parseFrom(r.value());
          scores.read(
              Fleet.indexOf(h.getEndpoint().getAddress()), h.getWindow().getEndUnixMillis(), now);
        }
      }
    } catch (Exception e) {
      progress.println("health reader failed: " + e);
    }
  }

  private static long quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
