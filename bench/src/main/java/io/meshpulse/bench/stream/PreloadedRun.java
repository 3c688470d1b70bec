package io.meshpulse.bench.stream;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.streamprocessor.job.HealthJobOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Throughput with the input already in Kafka: {@code seconds} of event time, every endpoint sending
 * {@code perSecond} requests each second, produced before the job starts; then one record per
 * partition {@value #TAIL_SECONDS} s later, so the watermark passes every window that holds data.
 * The input is produced once and read by one job per round, each from the earliest offsets into its
 * own output topics. Timed from the first record the job reads (its {@code records_in} counter,
 * scraped every 20 ms) to the moment the endpoint-health topic holds every expected record
 * (endpoints × {@link #windowsPerEndpoint} windows; its end offsets polled every 50 ms).
 */
final class PreloadedRun {
  static final int TAIL_SECONDS = 11;

  record Result(
      long records,
      long healthRecords,
      double seconds,
      double jobCpuSeconds,
      double processCpuSeconds,
      long lateRecords,
      JobRun.CheckpointSize checkpoint) {}

  private final EmbeddedKafka kafka;
  private final MiniCluster cluster;
  private final JobMetricsScrape metrics;
  private final PrintStream progress;

  PreloadedRun(
      EmbeddedKafka kafka, MiniCluster cluster, JobMetricsScrape metrics, PrintStream progress) {
    this.kafka = kafka;
    this.cluster = cluster;
    this.metrics = metrics;
    this.progress = progress;
  }

  /**
   * Produces the input to {@code topic}: {@code seconds} of event time for every endpoint of {@code
   * fleet}, then the tail records. Returns how many records it wrote.
   */
  long preload(Fleet fleet, String topic, int seconds, int perSecond, int partitions)
      throws Exception {
    long base = (System.currentTimeMillis() / 1000 - seconds - TAIL_SECONDS - 5) * 1000;
    long produceStart = System.nanoTime();
    long produced = produce(fleet, topic, base, seconds, perSecond, partitions);
    progress.printf(
        "preloaded %,d records (%d endpoints × %d/s × %d s) in %.1f s%n",
        produced, fleet.endpoints(), perSecond, seconds, (System.nanoTime() - produceStart) / 1e9);
    return produced;
  }

  /**
   * Runs one job over the preloaded input (its topic in {@code conf}) until it has written every
   * endpoint's windows to its own endpoint-health topic.
   */
  Result run(Fleet fleet, int seconds, Configuration conf, int partitions) throws Exception {
    String out = conf.get(HealthJobOptions.ENDPOINT_HEALTH_TOPIC);
    String jobName = conf.get(HealthJobOptions.JOB_NAME);
    long expected = fleet.endpoints() * windowsPerEndpoint(seconds, conf);

    CpuClock cpu = new CpuClock();
    try (JobRun job = JobRun.submit(cluster, conf, jobName);
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (metrics.sum("records_in", jobName) == 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the job read nothing in 60 s");
        }
        Thread.sleep(20);
      }
      long start = System.nanoTime();
      CpuClock.Reading cpuStart = cpu.read();
      long health = 0;
      long lastPrint = start;
      deadline = start + Duration.ofSeconds(150).toNanos();
      while (health < expected && System.nanoTime() < deadline) {
        Thread.sleep(50);
        health = endOffsets(admin, out, partitions);
        if (System.nanoTime() - lastPrint > 5e9) {
          lastPrint = System.nanoTime();
          progress.printf(
              "  %.0f s: %,d records read, %,d of %,d endpoint-health records%n",
              (lastPrint - start) / 1e9, metrics.sum("records_in", jobName), health, expected);
        }
      }
      long end = System.nanoTime();
      CpuClock.Reading used = cpu.read().minus(cpuStart);
      long read = metrics.sum("records_in", jobName);
      if (health < expected) {
        // Timed over the deadline, its figures would read as a slow job rather than a failed one.
        throw new IllegalStateException(
            String.format(
                "the job wrote %,d of %,d endpoint-health records in 150 s (%,d records read);"
                    + " an incomplete round gives no figures",
                health, expected, read));
      }
      return new Result(
          read,
          health,
          (end - start) / 1e9,
          used.jobNanos() / 1e9,
          used.processNanos() / 1e9,
          metrics.sum("late_records_dropped", jobName),
          job.largestCheckpoint().orElse(new JobRun.CheckpointSize(-1, 0, 0)));
    }
  }

  /**
   * The windows that hold an endpoint's records of {@code seconds} whole seconds of event time,
   * starting on a second and ending within the last slide: {@code seconds + 9} for 10 s windows
   * sliding by 1 s, {@code 2 × seconds + 19} sliding by 500 ms.
   */
  static long windowsPerEndpoint(int seconds, Configuration conf) {
    long size = conf.get(HealthJobOptions.WINDOW_SIZE).toMillis();
    long slide = conf.get(HealthJobOptions.WINDOW_SLIDE).toMillis();
    return (seconds * 1000L + size - 1) / slide;
  }

  private long produce(
      Fleet fleet, String topic, long base, int seconds, int perSecond, int partitions)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "1");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    long count = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      long step = 1000 / perSecond;
      for (int s = 0; s < seconds; s++) {
        for (int slot = 0; slot < perSecond; slot++) {
          long t = base + s * 1000L + slot * step;
          for (int e = 0; e < fleet.endpoints(); e++) {
            producer.send(new ProducerRecord<>(topic, fleet.key(e), fleet.record(e, t)));
            count++;
          }
        }
      }
      long tail = base + (seconds + TAIL_SECONDS) * 1000L;
      for (int p = 0; p < partitions; p++) {
        producer.send(new ProducerRecord<>(topic, p, fleet.key(0), fleet.record(0, tail)));
        count++;
      }
      producer.flush();
    }
    return count;
  }

  private static long endOffsets(Admin admin, String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long sum = 0;
    for (ListOffsetsResultInfo info : admin.listOffsets(request).all().get().values()) {
      sum += info.offset();
    }
    return sum;
  }
}
