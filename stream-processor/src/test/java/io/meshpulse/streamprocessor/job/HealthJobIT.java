package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.TopicSpec;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.streamprocessor.io.OutRecordSchema;
import io.meshpulse.streamprocessor.job.HealthReader.Seen;
import io.meshpulse.streamprocessor.job.TrafficGenerator.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a MiniCluster against a real (embedded) broker: a cluster of 10 endpoints at 50
 * requests/s each, one of which turns bad at event time T.
 */
class HealthJobIT {
  /** slide (500 ms) + out-of-orderness (500 ms) + 1 s. */
  private static final long DETECTION_BOUND_MILLIS = 2_000;

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.builder().saslPlainUser("meshpulse", "s3cret").build().start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  static Configuration jobConfiguration(EmbeddedKafka kafka, String name) {
    kafka.createTopics(
        List.of(
            new TopicSpec("in-" + name, 3, Map.of()),
            new TopicSpec("eh-" + name, 3, Map.of()),
            new TopicSpec("sh-" + name, 3, Map.of()),
            new TopicSpec("dl-" + name, 1, Map.of())));
    Configuration conf = new Configuration();
    conf.set(HealthJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    conf.set(HealthJobOptions.ACCESS_RECORDS_TOPIC, "in-" + name);
    conf.set(HealthJobOptions.ENDPOINT_HEALTH_TOPIC, "eh-" + name);
    conf.set(HealthJobOptions.SERVICE_HEALTH_TOPIC, "sh-" + name);
    conf.set(HealthJobOptions.DEAD_LETTER_TOPIC, "dl-" + name);
    conf.set(HealthJobOptions.GROUP_ID, "health-" + name);
    conf.set(HealthJobOptions.STARTING_OFFSETS, HealthJobOptions.StartingOffsets.EARLIEST);
    conf.set(HealthJobOptions.IDLENESS, Duration.ofSeconds(2));
    conf.set(HealthJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
    conf.set(HealthJobOptions.PARALLELISM, 2);
    return conf;
  }

  private static boolean isBad(EndpointHealth h) {
    return h.getEndpoint().getAddress().equals("10.0.0." + TrafficGenerator.BAD_HOST);
  }

  /** Runs the scenario and checks the detection; returns the job id for metric checks. */
  private JobID detect(String name, Fault fault) throws Exception {
    Configuration conf = jobConfiguration(kafka, name);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(env, conf);
    JobClient job = env.executeAsync(name);
    try (TrafficGenerator traffic =
            new TrafficGenerator(kafka.bootstrapServers(), "in-" + name, name, 10, 50).start();
        HealthReader<EndpointHealth> reader =
            new HealthReader<>(kafka.bootstrapServers(), "eh-" + name, EndpointHealth.parser())) {
      long trafficStart = System.currentTimeMillis();
      // Warm up until a window with ≥ 3 s of traffic shows all ten endpoints HEALTHY.
      awaitAllHealthy(reader, trafficStart + 3_000);

      traffic.inject(fault);
      Seen<EndpointHealth> first =
          reader.awaitFirst(
              h ->
                  isBad(h)
                      && h.getState() == HealthState.HEALTH_STATE_UNHEALTHY
                      && traffic.firstFaultMillis() > 0
                      && h.getWindow().getEndUnixMillis() > traffic.firstFaultMillis(),
              Duration.ofSeconds(20));
      assertThat(first).as("an UNHEALTHY record for the bad endpoint").isNotNull();
      long t = traffic.firstFaultMillis();
      long eventTimeDelay = first.value().getWindow().getEndUnixMillis() - t;
      long wallClockDelay = first.readMillis() - t;
      System.out.printf(
          "[%s] fault at T=%d: first UNHEALTHY window ends T+%d ms (event time), read T+%d ms"
              + " (wall clock), emitted T+%d ms; reasons %s%n",
          name,
          t,
          eventTimeDelay,
          wallClockDelay,
          first.value().getEmittedUnixMillis() - t,
          first.value().getReasonsList());
      reader.drain(Duration.ofSeconds(3));

      assertThat(eventTimeDelay)
          .as("event-time delay from T to the end of the first UNHEALTHY window")
          .isBetween(0L, DETECTION_BOUND_MILLIS);
      assertThat(wallClockDelay)
          .as("wall-clock delay from producing the first bad record to reading UNHEALTHY")
          .isLessThanOrEqualTo(DETECTION_BOUND_MILLIS);
      List<EndpointHealth> others =
          reader.all().stream().map(Seen::value).filter(h -> !isBad(h)).toList();
      assertThat(others).as("records of the other nine").hasSizeGreaterThan(40);
      assertThat(others)
          .as("the other nine, throughout")
          .allSatisfy(
              h ->
                  assertThat(h.getState())
                      .as(
                          "%s at %d: %s",
                          h.getEndpoint().getAddress(),
                          h.getWindow().getEndUnixMillis(),
                          h.getReasonsList())
                      .isIn(HealthState.HEALTH_STATE_HEALTHY, HealthState.HEALTH_STATE_UNKNOWN));
      assertThat(others)
          .filteredOn(h -> h.getWindow().getEndUnixMillis() > trafficStart + 3_000)
          .as("the other nine once traffic is steady")
          .allSatisfy(h -> assertThat(h.getState()).isEqualTo(HealthState.HEALTH_STATE_HEALTHY));
      return job.getJobID();
    } finally {
      job.cancel().get();
    }
  }

  private static void awaitAllHealthy(HealthReader<EndpointHealth> reader, long windowEndAfter) {
    Seen<EndpointHealth> ready =
        reader.awaitFirst(
            h -> {
              long end = h.getWindow().getEndUnixMillis();
              if (end <= windowEndAfter) {
                return false;
              }
              Set<String> healthy =
                  reader.all().stream()
                      .map(Seen::value)
                      .filter(
                          o ->
                              o.getWindow().getEndUnixMillis() == end
                                  && o.getState() == HealthState.HEALTH_STATE_HEALTHY)
                      .map(o -> o.getEndpoint().getAddress())
                      .collect(Collectors.toSet());
              return healthy.size() == 10;
            },
            Duration.ofSeconds(30));
    assertThat(ready).as("a window with all ten endpoints HEALTHY before the fault").isNotNull();
  }

  @Test
  void
      endpointFailingWith503s_isUnhealthyWithinSlidePlusOutOfOrdernessPlusOneSecond_othersStayHealthy()
          throws Exception {
    JobID job = detect("errors", Fault.HTTP_503);
    assertThat(counter(job, JobMetrics.RECORDS_IN)).as("records in").isGreaterThan(1_000);
    assertThat(counter(job, JobMetrics.ENDPOINT_SCORES, "unhealthy"))
        .as("UNHEALTHY endpoint scores counted")
        .isGreaterThan(0);
  }

  @Test
  void kafkaProperties_reachTheSourceAndTheSinks_ofABrokerThatTakesOnlySasl() throws Exception {
    Configuration conf = jobConfiguration(kafka, "sasl");
    conf.set(HealthJobOptions.BOOTSTRAP_SERVERS, kafka.saslBootstrapServers());
    conf.setString(
        HealthJobOptions.KAFKA_PROPERTIES_PREFIX + "security.protocol", "SASL_PLAINTEXT");
    conf.setString(HealthJobOptions.KAFKA_PROPERTIES_PREFIX + "sasl.mechanism", "PLAIN");
    conf.setString(
        HealthJobOptions.KAFKA_PROPERTIES_PREFIX + "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"meshpulse\" password=\"s3cret\";");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(env, conf);
    JobClient job = env.executeAsync("sasl");
    try (TrafficGenerator traffic =
            new TrafficGenerator(kafka.bootstrapServers(), "in-sasl", "sasl", 10, 50).start();
        HealthReader<EndpointHealth> reader =
            new HealthReader<>(kafka.bootstrapServers(), "eh-sasl", EndpointHealth.parser())) {
      assertThat(reader.awaitFirst(h -> true, Duration.ofSeconds(30)))
          .as("a health record, read from the SASL listener and written back through it")
          .isNotNull();
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void endpointWithTripledLatencyAndNoErrors_isUnhealthyWithinTheSameBound_othersStayHealthy()
      throws Exception {
    detect("latency", Fault.LATENCY_X3);
  }

  @Test
  void badInput_isDeadLetteredOrCountedAndDropped_andTheJobKeepsScoring() throws Exception {
    String name = "bad-input";
    Configuration conf = jobConfiguration(kafka, name);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(env, conf);
    JobClient job = env.executeAsync(name);
    try (TrafficGenerator traffic =
            new TrafficGenerator(kafka.bootstrapServers(), "in-" + name, name, 3, 50).start();
        HealthReader<ServiceHealth> services =
            new HealthReader<>(kafka.bootstrapServers(), "sh-" + name, ServiceHealth.parser())) {
      traffic.send("garbage", new byte[] {(byte) 0xff, 0x00, 0x13});
      long future = System.currentTimeMillis() + Duration.ofHours(2).toMillis();
      traffic.send("future", TestSamples.record(name, 1, future, 200, 10).toByteArray());
      traffic.send("ancient", TestSamples.record(name, 1, 1_000_000L, 503, 10).toByteArray());

      Seen<ServiceHealth> scored =
          services.awaitFirst(
              s -> s.getState() == HealthState.HEALTH_STATE_HEALTHY && s.getEndpoints() == 3,
              Duration.ofSeconds(30));
      assertThat(scored).as("a HEALTHY service record after the bad input").isNotNull();
      assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job terminated").isFalse();

      ConsumerRecord<byte[], byte[]> dead = rawDeadLetter(name);
      assertThat(dead.value()).as("original bytes").containsExactly((byte) 0xff, 0x00, 0x13);
      assertThat(
              new String(
                  dead.headers().lastHeader(OutRecordSchema.ERROR_HEADER).value(),
                  StandardCharsets.UTF_8))
          .as("reason header")
          .contains("not a valid AccessRecord");
      assertThat(counter(job.getJobID(), JobMetrics.DECODE_FAILURES))
          .as("decode failures")
          .isEqualTo(1);
      assertThat(counter(job.getJobID(), JobMetrics.RECORDS_TOO_NEW))
          .as("far-future records")
          .isEqualTo(1);
      assertThat(counter(job.getJobID(), JobMetrics.RECORDS_TOO_OLD))
          .as("far-past records")
          .isEqualTo(1);
      assertThat(scored.value().getEndpointsUnhealthy())
          .as("the ancient 503 changed nothing")
          .isZero();
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void exactlyOnceDelivery_showsHealthToReadCommittedReaders_whenCheckpointsCommit()
      throws Exception {
    String name = "exactly-once";
    Configuration conf = jobConfiguration(kafka, name);
    conf.set(HealthJobOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
    conf.set(HealthJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
    conf.set(HealthJobOptions.TRANSACTIONAL_ID_PREFIX, "it-" + name);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    HealthJob.define(env, conf);
    JobClient job = env.executeAsync(name);
    try (TrafficGenerator traffic =
            new TrafficGenerator(kafka.bootstrapServers(), "in-" + name, name, 3, 50).start();
        HealthReader<EndpointHealth> committed =
            new HealthReader<>(
                kafka.bootstrapServers(),
                "eh-" + name,
                EndpointHealth.parser(),
                "read_committed")) {
      Seen<EndpointHealth> first =
          committed.awaitFirst(
              h -> h.getState() == HealthState.HEALTH_STATE_HEALTHY, Duration.ofSeconds(40));
      assertThat(first).as("a committed HEALTHY record").isNotNull();
      System.out.printf(
          "[exactly-once] committed record read %d ms after it was computed%n",
          first.readMillis() - first.value().getEmittedUnixMillis());
      assertThat(traffic.produced()).as("traffic produced").isPositive();
    } finally {
      job.cancel().get();
    }
  }

  private static ConsumerRecord<byte[], byte[]> rawDeadLetter(String name) {
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "group.id",
                "dl-reader-" + name,
                "auto.offset.reset",
                "earliest"),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(List.of("dl-" + name));
      long deadline = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          return r;
        }
      }
    }
    throw new AssertionError("no dead letter on dl-" + name);
  }

  /** Sum of a meshpulse counter over all subtasks (optionally of one state label). */
  private static long counter(JobID job, String name, String... state) {
    long sum = 0;
    for (Map.Entry<String, Metric> e : METRICS.getMetricsByIdentifiers(job).entrySet()) {
      String id = e.getKey();
      if (!id.endsWith("." + name) || !id.contains(JobMetrics.GROUP)) {
        continue;
      }
      if (state.length > 0 && !id.contains("." + state[0] + ".")) {
        continue;
      }
      if (e.getValue() instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }
}
