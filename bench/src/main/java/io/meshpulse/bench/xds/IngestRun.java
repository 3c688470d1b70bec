package io.meshpulse.bench.xds;

import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.Window;
import io.meshpulse.xds.health.KafkaHealthTable;
import io.micrometer.core.instrument.Timer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The health table's intake: endpoint-health records for a fleet of healthy endpoints, produced at
 * a steady rate (one per endpoint per slide, as the health job writes them). Measures whether Kafka
 * Streams applies them as fast as they come and what that costs the control plane's threads, the
 * policy loop's share included (every update asks for an evaluation, and evaluations coalesce). Run
 * once while the topology does not serve the fleet (the health topic is shared with other control
 * planes) and once while it does ({@link #servicesYaml}), where every evaluation judges every one
 * of them.
 */
final class IngestRun {
  /**
   * Thread name and client id of the producer, whose threads {@link CpuReading#clientSide} leaves
   * out.
   */
  static final String THREAD = "bench-ingest";

  /** One run's figures. */
  record Result(
      boolean served,
      int endpoints,
      int rate,
      Duration duration,
      long produced,
      long applied,
      long caughtUpMillis,
      long controlPlaneCpuNanos,
      long evaluations,
      double evaluationMillis,
      long wallNanos,
      Map<String, Long> cpuByGroup) {
    String row() {
      double seconds = wallNanos / 1e9;
      return String.format(
          Locale.ROOT,
          "| %,d | %s | %,d | %d s | %,d / %,d | %s | %.2f | %.2f | %.1f / %.1f ms | %.2f |",
          endpoints,
          served ? "yes" : "no",
          rate,
          duration.toSeconds(),
          applied,
          produced,
          caughtUpMillis < 0 ? "not within 60 s" : caughtUpMillis + " ms",
          controlPlaneCpuNanos / 1e9 / seconds,
          cpuByGroup.getOrDefault("meshpulse-xds-loop", 0L) / 1e9 / seconds,
          evaluations / seconds,
          evaluationMillis,
          streamThreads() / 1e9 / seconds);
    }

    private long streamThreads() {
      return cpuByGroup.entrySet().stream()
          .filter(e -> e.getKey().contains("StreamThread"))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  private final String bootstrapServers;
  private final KafkaHealthTable table;
  private final Timer evaluations;

  /**
   * @param evaluations the policy loop's evaluation timer
   */
  IngestRun(String bootstrapServers, KafkaHealthTable table, Timer evaluations) {
    this.bootstrapServers = bootstrapServers;
    this.table = table;
    this.evaluations = evaluations;
  }

  /**
   * The fleet's services as topology YAML (appended to the served topology's {@code services:}
   * list): 100 endpoints a service, subsets v1 and v2, keyed as {@link #record} keys them.
   */
  static String servicesYaml(int endpoints, int firstServicePort) {
    StringBuilder b = new StringBuilder();
    for (int service = 0; service * 100 < endpoints; service++) {
      b.append("  - name: ").append(cluster(service * 100)).append('\n');
      b.append("    port: ").append(firstServicePort + service).append('\n');
      b.append("    protocol: http\n    subsets:\n");
      for (String subset : new String[] {"v1", "v2"}) {
        b.append("      - name: ").append(subset).append('\n');
        b.append("        labels: {version: ").append(subset).append("}\n");
        b.append("        endpoints:\n");
        for (int i = service * 100; i < Math.min(endpoints, service * 100 + 100); i++) {
          if (subset(i).equals(subset)) {
            b.append("          - {address: ").append(address(i)).append(", port: 8080}\n");
          }
        }
      }
    }
    return b.toString();
  }

  /** The number of services {@link #servicesYaml} writes for {@code endpoints}. */
  static int services(int endpoints) {
    return (endpoints + 99) / 100;
  }

  Result run(boolean served, int endpoints, int rate, Duration duration, PrintStream progress)
      throws Exception {
    if (endpoints <= 0 || rate <= 0 || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "ingest needs endpoints, rate and duration above 0: "
              + endpoints
              + ", "
              + rate
              + ", "
              + duration);
    }
    byte[][] keys = new byte[endpoints][];
    EndpointHealth[] records = new EndpointHealth[endpoints];
    for (int i = 0; i < endpoints; i++) {
      records[i] = record(i);
      keys[i] = RecordKeys.of(records[i]).getBytes(StandardCharsets.UTF_8);
    }
    long appliedBefore = table.updates();
    long evaluationsBefore = evaluations.count();
    double evaluationNanosBefore = evaluations.totalTime(TimeUnit.NANOSECONDS);
    AtomicLong produced = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    CpuReading cpuBefore = CpuReading.now();
    long start = System.nanoTime();
    Thread producer =
        new Thread(
            () -> {
              try {
                produce(keys, records, rate, duration, produced);
              } catch (Exception e) {
                failure.set(e);
              }
            },
            THREAD);
    producer.start();
    producer.join();
    if (failure.get() != null) {
      throw failure.get();
    }
    long producedAt = System.nanoTime();
    long deadline = producedAt + TimeUnit.SECONDS.toNanos(60);
    long caughtUp = -1;
    while (System.nanoTime() < deadline) {
      if (table.updates() - appliedBefore >= produced.get()) {
        caughtUp = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - producedAt);
        break;
      }
      Thread.sleep(10);
    }
    long wall = System.nanoTime() - start;
    CpuReading cpuAfter = CpuReading.now();
    long evaluated = evaluations.count() - evaluationsBefore;
    double evaluationNanos = evaluations.totalTime(TimeUnit.NANOSECONDS) - evaluationNanosBefore;
    Result result =
        new Result(
            served,
            endpoints,
            rate,
            duration,
            produced.get(),
            table.updates() - appliedBefore,
            caughtUp,
            cpuAfter.controlPlaneSince(cpuBefore),
            evaluated,
            evaluated == 0 ? 0 : evaluationNanos / evaluated / 1e6,
            wall,
            cpuAfter.groupsSince(cpuBefore));
    progress.printf(
        "ingest %d endpoints (%s) at %d records/s for %s: applied %d of %d, caught up %s;"
            + " %d evaluations, %.1f ms each; CPU by thread group: %s%n",
        endpoints,
        served ? "served" : "not served",
        rate,
        duration,
        result.applied(),
        result.produced(),
        caughtUp < 0 ? "not within 60 s" : caughtUp + " ms after the last record",
        evaluated,
        result.evaluationMillis(),
        result.cpuByGroup().entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(6)
            .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue() / 1e9))
            .collect(Collectors.joining("; ")));
    return result;
  }

  /** Sends one record per endpoint per {@code endpoints / rate} seconds, in 10 ms slices. */
  private void produce(
      byte[][] keys, EndpointHealth[] records, int rate, Duration duration, AtomicLong produced)
      throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, THREAD);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      long total = (long) rate * duration.toSeconds();
      int next = 0;
      for (long sent = 0; sent < total; ) {
        long elapsed = System.nanoTime() - start;
        long due = Math.min(total, (long) (elapsed / 1e9 * rate) + 1);
        while (sent < due) {
          // Fresh as xds-control dates records: by the end of their window.
          long now = System.currentTimeMillis();
          EndpointHealth h =
              records[next].toBuilder()
                  .setWindow(
                      Window.newBuilder().setStartUnixMillis(now - 10_000).setEndUnixMillis(now))
                  .setEmittedUnixMillis(now)
                  .build();
          producer.send(new ProducerRecord<>(Topics.ENDPOINT_HEALTH, keys[next], h.toByteArray()));
          next = (next + 1) % records.length;
          sent++;
        }
        produced.set(sent);
        Thread.sleep(10);
      }
      producer.flush();
    }
  }

  /** A healthy endpoint's record as the health job writes it (reasons included). */
  private static EndpointHealth record(int i) {
    return EndpointHealth.newBuilder()
        .setCluster(cluster(i))
        .setSubset(subset(i))
        .setEndpoint(Endpoint.newBuilder().setAddress(address(i)).setPort(8080))
        .setRequests(100)
        .setErrors(1)
        .setHttp5Xx(1)
        .setErrorRate(0.01)
        .setP50Millis(20)
        .setP90Millis(31)
        .setP99Millis(48)
        .setReportingProxies(20)
        .setPeerErrorRate(0.01)
        .setPeerMedianP99Millis(47)
        .setPeers(49)
        .setScore(1.0)
        .setState(HealthState.HEALTH_STATE_HEALTHY)
        .setConfidence(0.9)
        .addReasons("error rate 1.0 % vs peers 1.0 % (n=100), p99 48 ms vs peers' median 47 ms")
        .build();
  }

  private static String cluster(int i) {
    return String.format(Locale.ROOT, "ingest-%03d", i / 100);
  }

  private static String subset(int i) {
    return i % 2 == 0 ? "v1" : "v2";
  }

  private static String address(int i) {
    return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
  }
}
