package io.meshpulse.streamprocessor.job;

import io.meshpulse.model.MeshpulseBuild;
import io.meshpulse.streamprocessor.io.AccessRecordSchema;
import io.meshpulse.streamprocessor.io.BinaryTypeInfo;
import io.meshpulse.streamprocessor.io.Inbound;
import io.meshpulse.streamprocessor.io.OutRecord;
import io.meshpulse.streamprocessor.io.OutRecordSchema;
import io.meshpulse.streamprocessor.io.Sample;
import io.meshpulse.streamprocessor.score.EndpointStats;
import io.meshpulse.streamprocessor.score.ScoringThresholds;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health job: access records → per-endpoint sliding event-time windows → per-cluster peer
 * comparison → EndpointHealth and ServiceHealth on Kafka.
 *
 * <pre>
 * KafkaSource(access records) ─▶ RecordGate ─┬─▶ dead letters ─▶ KafkaSink(dead letters)
 *   event time, bounded out-of-orderness,    └─▶ keyBy endpoint ─▶ 500 ms panes (one update a record),
 *   idleness                                     merged into 10 s windows every 500 ms ─▶ EndpointStats
 *                                                ─▶ keyBy cluster ─▶ ClusterScoringFunction
 *                                                   (timer at window end) ─┬─▶ KafkaSink(endpoint health)
 *                                                                          └─▶ KafkaSink(service health)
 * </pre>
 *
 * <p>Embed it with {@link #define(StreamExecutionEnvironment, ReadableConfig)} and run the
 * environment; on a Flink cluster, {@code flink run stream-processor-<v>-job.jar [--key value]...}.
 */
public final class HealthJob {
  private static final Logger logger = LoggerFactory.getLogger(HealthJob.class);
  private static final String PROMETHEUS_REPORTER = "metrics.reporter.prom.";

  private HealthJob() {}

  /** Builds the job into {@code env}; the caller executes it. Fails fast on bad settings. */
  public static void define(StreamExecutionEnvironment env, ReadableConfig conf) {
    define(env, conf, Clock.systemUTC());
  }

  /**
   * Checks {@code conf}, as {@link #define} does first: every setting's name, type and rules, and
   * RocksDB on the class path when chosen. Fails naming the first bad setting; callers that start
   * other things before the job call it themselves.
   */
  public static void validate(ReadableConfig conf) {
    HealthJobOptions.requireKnown(conf.toMap());
    HealthJobOptions.requireReadable(conf);
    OptionChecks.validate(conf);
    HealthJobOptions.thresholds(conf);
    if (conf.get(HealthJobOptions.STATE_BACKEND) == HealthJobOptions.StateBackend.ROCKSDB) {
      RocksDbClasspath.requireFlinkRocksDb(
          HealthJob.class.getClassLoader(), HealthJobOptions.STATE_BACKEND.key());
    }
  }

  static void define(StreamExecutionEnvironment env, ReadableConfig conf, Clock clock) {
    validate(conf);
    warnReplaced(conf, "the access records' source", HealthJobOptions.SOURCE_OWN_PROPERTIES);
    warnReplaced(conf, "the health records' producers", sinkOwnProperties());
    ScoringThresholds thresholds = HealthJobOptions.thresholds(conf);
    Duration size = conf.get(HealthJobOptions.WINDOW_SIZE);
    Duration slide = conf.get(HealthJobOptions.WINDOW_SLIDE);
    configureEnvironment(env, conf);

    WatermarkStrategy<Inbound> watermarks = watermarks(conf, clock);

    SingleOutputStreamOperator<Sample> samples =
        env.fromSource(source(conf), watermarks, "access-records")
            .uid("access-records-source")
            .process(new RecordGate(clock, conf.get(HealthJobOptions.MAX_RECORD_AGE).toMillis()))
            .returns(BinaryTypeInfo.SAMPLE)
            .uid("record-gate")
            .name("decode and validate");

    samples
        .getSideOutput(RecordGate.DEAD_LETTERS)
        .sinkTo(sink(conf, conf.get(HealthJobOptions.DEAD_LETTER_TOPIC)))
        .uid("dead-letter-sink")
        .name("dead letters");

    OutputTag<Sample> late = new OutputTag<>("late-samples", BinaryTypeInfo.SAMPLE);
    SingleOutputStreamOperator<EndpointStats> endpointWindows =
        endpointWindows(samples, size, slide, thresholds.recentSpanMillis(), late);

    endpointWindows
        .getSideOutput(late)
        .process(new LateRecordCounter())
        .returns(BinaryTypeInfo.SAMPLE)
        .uid("late-records")
        .name("late records");

    SingleOutputStreamOperator<OutRecord> endpointHealth =
        clusterScoring(endpointWindows, thresholds, clock, size);

    endpointHealth
        .sinkTo(sink(conf, conf.get(HealthJobOptions.ENDPOINT_HEALTH_TOPIC)))
        .uid("endpoint-health-sink")
        .name("endpoint health");
    endpointHealth
        .getSideOutput(ClusterScoringFunction.SERVICE_HEALTH)
        .sinkTo(sink(conf, conf.get(HealthJobOptions.SERVICE_HEALTH_TOPIC)))
        .uid("service-health-sink")
        .name("service health");
  }

  /**
   * Event time from the request's completion (start + duration), bounded out-of-orderness, idle
   * partitions skipped; records without a timestamp are no partition's activity.
   */
  static WatermarkStrategy<Inbound> watermarks(ReadableConfig conf, Clock clock) {
    WatermarkStrategy<Inbound> timed =
        WatermarkStrategy.<Inbound>forBoundedOutOfOrderness(
                OptionChecks.notNegative(conf, HealthJobOptions.OUT_OF_ORDERNESS))
            .withIdleness(OptionChecks.positive(conf, HealthJobOptions.IDLENESS));
    return WatermarkStrategy.<Inbound>forGenerator(
            context -> new TimedActivityWatermarks<>(timed.createWatermarkGenerator(context)))
        .withTimestampAssigner(
            new EventTimeAssigner(
                clock,
                OptionChecks.maxFutureSkewMillis(conf),
                conf.get(HealthJobOptions.MAX_RECORD_AGE).toMillis()));
  }

  /**
   * Per endpoint: sliding event-time windows built from panes of one slide (one state update per
   * record, each window merged from its panes when the watermark passes its end).
   */
  static SingleOutputStreamOperator<EndpointStats> endpointWindows(
      DataStream<Sample> samples,
      Duration size,
      Duration slide,
      long spanMillis,
      OutputTag<Sample> late) {
    return samples
        .keyBy(s -> s.key, Types.LONG)
        .process(new EndpointPanesFunction(size.toMillis(), slide.toMillis(), spanMillis, late))
        .returns(BinaryTypeInfo.ENDPOINT_STATS)
        .uid("endpoint-panes-v2")
        .name("endpoint windows");
  }

  /** Per cluster: peer comparison of each window's endpoints, fired by the watermark. */
  static SingleOutputStreamOperator<OutRecord> clusterScoring(
      DataStream<EndpointStats> endpointWindows,
      ScoringThresholds thresholds,
      Clock clock,
      Duration size) {
    return endpointWindows
        .keyBy(s -> s.id().cluster(), Types.STRING)
        .process(new ClusterScoringFunction(thresholds, clock, size.toMillis()))
        .returns(OutRecord.class)
        .uid("cluster-scoring-v3")
        .name("peer comparison and scoring");
  }

  /**
   * Cluster-level settings for a job that runs in its own MiniCluster (standalone runtime, {@link
   * #main}): Flink's Prometheus reporter on {@link HealthJobOptions#PROMETHEUS_PORT}, with label
   * values as they are: by default the reporter turns every character but letters, digits, {@code
   * _} and {@code :} into {@code _}, and the job's build label ({@code 0.4.0}) would then never
   * equal the other components' ({@code 0_4_0}).
   */
  public static Configuration clusterConfiguration(ReadableConfig conf) {
    Map<String, String> settings = new HashMap<>();
    settings.put(
        PROMETHEUS_REPORTER + "factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    settings.put(
        PROMETHEUS_REPORTER + "port", String.valueOf(conf.get(HealthJobOptions.PROMETHEUS_PORT)));
    settings.put(PROMETHEUS_REPORTER + "filterLabelValueCharacters", "false");
    return Configuration.fromMap(settings);
  }

  /**
   * Runs the job: settings as {@code --meshpulse.health.<key> <value>} or {@code key=value}. Under
   * {@code flink run} it joins that cluster; run directly, it starts a local one.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> settings = parseArgs(args);
    Configuration conf = Configuration.fromMap(settings);
    Configuration envConf = clusterConfiguration(conf);
    envConf.addAll(conf);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
    define(env, conf);
    logger.info(
        "submitting job={} build={}",
        conf.get(HealthJobOptions.JOB_NAME),
        MeshpulseBuild.current());
    env.execute(conf.get(HealthJobOptions.JOB_NAME));
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> settings = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("--")) {
        String key = arg.substring(2);
        int eq = key.indexOf('=');
        if (eq > 0) {
          settings.put(key.substring(0, eq), key.substring(eq + 1));
        } else if (i + 1 < args.length) {
          settings.put(key, args[++i]);
        } else {
          throw new IllegalArgumentException("no value after " + arg);
        }
      } else if (arg.indexOf('=') > 0) {
        settings.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException("expected --key value or key=value, got " + arg);
      }
    }
    return settings;
  }

  private static void configureEnvironment(StreamExecutionEnvironment env, ReadableConfig conf) {
    Configuration job = new Configuration();
    job.set(
        StateBackendOptions.STATE_BACKEND,
        conf.get(HealthJobOptions.STATE_BACKEND) == HealthJobOptions.StateBackend.ROCKSDB
            ? "rocksdb"
            : "hashmap");
    conf.getOptional(HealthJobOptions.CHECKPOINT_DIRECTORY)
        .ifPresent(
            dir -> {
              job.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
              job.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
            });
    job.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    job.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    job.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        Duration.ofSeconds(1));
    job.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        OptionChecks.positive(conf, HealthJobOptions.RESTART_MAX_BACKOFF));
    env.configure(job);
    env.enableCheckpointing(conf.get(HealthJobOptions.CHECKPOINT_INTERVAL).toMillis());
    env.getCheckpointConfig()
        .setCheckpointTimeout(conf.get(HealthJobOptions.CHECKPOINT_TIMEOUT).toMillis());
    env.getCheckpointConfig()
        .setTolerableCheckpointFailureNumber(
            conf.get(HealthJobOptions.CHECKPOINT_TOLERABLE_FAILURES));
    env.getConfig()
        .setAutoWatermarkInterval(
            OptionChecks.atLeastOneMilli(conf, HealthJobOptions.WATERMARK_INTERVAL).toMillis());
    // No function keeps a reference to an input record after handling it (the Kafka deserializer
    // makes fresh ones, the window stage copies values into its panes, the cluster stage stores
    // immutable EndpointStats), so chained operators may pass records without a defensive copy.
    env.getConfig().enableObjectReuse();
    conf.getOptional(HealthJobOptions.PARALLELISM).ifPresent(env::setParallelism);
  }

  // OffsetResetStrategy is deprecated in kafka-clients 4.x, but it is what the connector takes.
  @SuppressWarnings("deprecation")
  private static KafkaSource<Inbound> source(ReadableConfig conf) {
    OffsetsInitializer start =
        switch (conf.get(HealthJobOptions.STARTING_OFFSETS)) {
          case COMMITTED_OR_LATEST ->
              OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
          case COMMITTED_OR_EARLIEST ->
              OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
          case EARLIEST -> OffsetsInitializer.earliest();
          case LATEST -> OffsetsInitializer.latest();
        };
    return KafkaSource.<Inbound>builder()
        .setProperties(HealthJobOptions.kafkaProperties(conf.toMap()))
        .setBootstrapServers(conf.get(HealthJobOptions.BOOTSTRAP_SERVERS))
        .setTopics(conf.get(HealthJobOptions.ACCESS_RECORDS_TOPIC))
        .setGroupId(conf.get(HealthJobOptions.GROUP_ID))
        .setStartingOffsets(start)
        .setDeserializer(new AccessRecordSchema())
        .setProperty("partition.discovery.interval.ms", "30000")
        .setProperty("fetch.max.wait.ms", "50")
        .build();
  }

  private static KafkaSink<OutRecord> sink(ReadableConfig conf, String topic) {
    return KafkaSink.<OutRecord>builder()
        .setBootstrapServers(conf.get(HealthJobOptions.BOOTSTRAP_SERVERS))
        .setRecordSerializer(new OutRecordSchema(topic))
        .setDeliveryGuarantee(conf.get(HealthJobOptions.DELIVERY_GUARANTEE))
        .setTransactionalIdPrefix(conf.get(HealthJobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + topic)
        .setKafkaProducerConfig(producerConfig(conf))
        .build();
  }

  /** Logs each Kafka client property of the settings that {@code client}'s own setting replaces. */
  private static void warnReplaced(ReadableConfig conf, String client, Set<String> own) {
    for (String key : HealthJobOptions.replacedKafkaProperties(conf.toMap(), own)) {
      logger.warn("{} is not applied to {}: the job sets that property itself", key, client);
    }
  }

  /**
   * Kafka properties the health records' producers set themselves, over {@link
   * HealthJobOptions#KAFKA_PROPERTIES_PREFIX}: those {@link #producerConfig} sets with no Kafka
   * client property given, so the warning follows whatever it sets.
   */
  static Set<String> sinkOwnProperties() {
    return producerConfig(new Configuration()).stringPropertyNames();
  }

  /**
   * The health records' producer settings, over the Kafka client properties of the settings; fails
   * naming the option with a bad value.
   */
  static Properties producerConfig(ReadableConfig conf) {
    Properties producer = HealthJobOptions.kafkaProperties(conf.toMap());
    Duration linger = OptionChecks.notNegative(conf, HealthJobOptions.LINGER);
    producer.setProperty("linger.ms", String.valueOf(linger.toMillis()));
    // Each slide's scores leave in one burst: larger batches, fewer compressed frames to set up.
    producer.setProperty("batch.size", "65536");
    producer.setProperty(
        "compression.type", conf.get(HealthJobOptions.COMPRESSION).producerValue());
    producer.setProperty(
        "transaction.timeout.ms",
        String.valueOf(conf.get(HealthJobOptions.TRANSACTION_TIMEOUT).toMillis()));
    return producer;
  }
}
