package io.meshpulse.streamprocessor.job;

import io.meshpulse.model.Topics;
import io.meshpulse.streamprocessor.score.ScoringThresholds;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.jspecify.annotations.Nullable;

/** Every setting of the health job, with its default and what it does. */
public final class HealthJobOptions {
  private static final String PREFIX = "meshpulse.health.";

  /** Where to start reading when the consumer group has no committed offset. */
  public enum StartingOffsets {
    /** Committed offsets of the group, else the latest: only fresh traffic is scored. */
    COMMITTED_OR_LATEST,
    /** Committed offsets of the group, else the earliest. */
    COMMITTED_OR_EARLIEST,
    EARLIEST,
    LATEST
  }

  /** How the health records' producer compresses its batches (Kafka's compression.type). */
  public enum Compression {
    NONE,
    GZIP,
    SNAPPY,
    LZ4,
    ZSTD;

    /** The value of the producer's {@code compression.type}. */
    public String producerValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which state backend keeps window and scoring state. */
  public enum StateBackend {
    HASHMAP,
    ROCKSDB
  }

  // Kafka

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key(PREFIX + "kafka.bootstrap-servers")
          .stringType()
          .defaultValue("127.0.0.1:19092")
          .withDescription("Kafka bootstrap servers for the source and the sinks.");

  public static final ConfigOption<String> ACCESS_RECORDS_TOPIC =
      ConfigOptions.key(PREFIX + "topics.access-records")
          .stringType()
          .defaultValue(Topics.ACCESS_RECORDS)
          .withDescription("Topic of AccessRecords, the job's input.");

  public static final ConfigOption<String> ENDPOINT_HEALTH_TOPIC =
      ConfigOptions.key(PREFIX + "topics.endpoint-health")
          .stringType()
          .defaultValue(Topics.ENDPOINT_HEALTH)
          .withDescription(
              "Topic the EndpointHealth records go to, keyed <cluster>/<host>:<port>.");

  public static final ConfigOption<String> SERVICE_HEALTH_TOPIC =
      ConfigOptions.key(PREFIX + "topics.service-health")
          .stringType()
          .defaultValue(Topics.SERVICE_HEALTH)
          .withDescription("Topic the ServiceHealth records go to, keyed <cluster>[/<subset>].");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      ConfigOptions.key(PREFIX + "topics.dead-letters")
          .stringType()
          .defaultValue(Topics.DEAD_LETTERS)
          .withDescription(
              "Topic for input records that could not be decoded: original key and value, the"
                  + " reason in header meshpulse.error, the source position in meshpulse.origin.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key(PREFIX + "kafka.group-id")
          .stringType()
          .defaultValue("meshpulse-health")
          .withDescription("Consumer group of the source (offsets are committed on checkpoints).");

  public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
      ConfigOptions.key(PREFIX + "kafka.starting-offsets")
          .enumType(StartingOffsets.class)
          .defaultValue(StartingOffsets.COMMITTED_OR_LATEST)
          .withDescription("Where the source starts when neither state nor committed offsets say.");

  public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
      ConfigOptions.key(PREFIX + "kafka.delivery-guarantee")
          .enumType(DeliveryGuarantee.class)
          .defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
          .withDescription(
              "AT_LEAST_ONCE writes health records as soon as they are computed (lowest latency;"
                  + " a restart may repeat some). EXACTLY_ONCE writes them in Kafka transactions"
                  + " committed on each checkpoint: readers with isolation.level=read_committed"
                  + " see them one checkpoint interval later.");

  public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
      ConfigOptions.key(PREFIX + "kafka.transaction-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "transaction.timeout.ms of the EXACTLY_ONCE producers; must exceed"
                  + " checkpoint.interval plus checkpoint.timeout (a transaction stays open from"
                  + " one checkpoint to the next, which may take that long) and must not exceed the broker's transaction.max.timeout.ms (900000 by"
                  + " default).");

  public static final ConfigOption<Compression> COMPRESSION =
      ConfigOptions.key(PREFIX + "kafka.compression")
          .enumType(Compression.class)
          .defaultValue(Compression.LZ4)
          .withDescription(
              "compression.type of the health records' producers. Compressing costs the job CPU"
                  + " (docs/stream-processor.md: LZ4 reads 5-15 % fewer records per CPU-second than"
                  + " NONE at 500 ms slides) and saves the brokers' network and disk; NONE for the"
                  + " most records per core, ZSTD for the smallest topics.");

  public static final ConfigOption<Duration> LINGER =
      ConfigOptions.key(PREFIX + "kafka.linger")
          .durationType()
          .defaultValue(Duration.ofMillis(5))
          .withDescription(
              "linger.ms of the health records' producers: how long a batch waits for more"
                  + " records. Longer means fewer, larger batches (less CPU per record) and adds"
                  + " up to that much to every health record's delay.");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
      ConfigOptions.key(PREFIX + "kafka.transactional-id-prefix")
          .stringType()
          .defaultValue("meshpulse-health")
          .withDescription("Prefix of the transactional ids (EXACTLY_ONCE only); unique per job.");

  // Event time and windows

  public static final ConfigOption<Duration> WINDOW_SIZE =
      ConfigOptions.key(PREFIX + "window.size")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Length of the sliding event-time window each score covers: a multiple of"
                  + " window.slide, at most 60 slides.");

  public static final ConfigOption<Duration> WINDOW_SLIDE =
      ConfigOptions.key(PREFIX + "window.slide")
          .durationType()
          .defaultValue(Duration.ofMillis(500))
          .withDescription(
              "How often a new window (and so a new score) is produced. A fault is seen when the"
                  + " slide it began in ends, so half a second reacts about half a second sooner"
                  + " than a second, for twice the scoring work and health records.");

  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOptions.key(PREFIX + "watermark.out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofMillis(500))
          .withDescription(
              "How late (in event time) a record may arrive and still count; later records are"
                  + " counted as late and dropped. Adds directly to the detection delay. Not"
                  + " negative.");

  public static final ConfigOption<Duration> IDLENESS =
      ConfigOptions.key(PREFIX + "watermark.idleness")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription(
              "A partition without records for this long stops holding the watermark back.");

  public static final ConfigOption<Duration> WATERMARK_INTERVAL =
      ConfigOptions.key(PREFIX + "watermark.interval")
          .durationType()
          .defaultValue(Duration.ofMillis(100))
          .withDescription("How often sources emit watermarks (pipeline.auto-watermark-interval).");

  public static final ConfigOption<Duration> MAX_RECORD_AGE =
      ConfigOptions.key(PREFIX + "input.max-record-age")
          .durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription(
              "Records whose event time is older than this (against the wall clock) are counted"
                  + " and dropped. At least 1 ms.");

  public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
      ConfigOptions.key(PREFIX + "input.max-future-skew")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription(
              "Records whose event time is further ahead of the wall clock than this are counted"
                  + " and dropped, before they can push the watermark forward. A proxy whose clock"
                  + " runs ahead by less still moves its partition's watermark, and so every"
                  + " partition's, that far: correctly timed records then miss the windows that"
                  + " close in that span (late_records_dropped). Synchronised clocks differ by"
                  + " milliseconds, so 5 s tolerates a poorly synchronised host while a fast"
                  + " clock can cost at most half of a default window. At most window.size -"
                  + " window.slide, or watermark.out-of-orderness when that is larger (tumbling"
                  + " windows); a larger value is rejected at start, and unset, the default is"
                  + " capped at that.");

  // Scoring thresholds (docs/health-score.md)

  public static final ConfigOption<Long> MIN_REQUESTS =
      ConfigOptions.key(PREFIX + "score.min-requests")
          .longType()
          .defaultValue(20L)
          .withDescription("Below this many requests in a window an endpoint is UNKNOWN.");

  public static final ConfigOption<Long> MIN_LATENCY_REQUESTS =
      ConfigOptions.key(PREFIX + "score.min-latency-requests")
          .longType()
          .defaultValue(100L)
          .withDescription("Below this many requests in a window latency is not judged.");

  public static final ConfigOption<Long> MIN_RECENT_LATENCY_REQUESTS =
      ConfigOptions.key(PREFIX + "score.min-recent-latency-requests")
          .longType()
          .defaultValue(20L)
          .withDescription(
              "Below this many timed requests in a window's last slide, the slide's latency is"
                  + " not compared with the peers'.");

  public static final ConfigOption<Duration> RECENT_SPAN =
      ConfigOptions.key(PREFIX + "score.recent-span")
          .durationType()
          .defaultValue(Duration.ofMillis(ScoringThresholds.DEFAULT_RECENT_SPAN_MILLIS))
          .withDescription(
              "The recent span whose errors are judged besides the window's and its last"
                  + " slide's: long enough to hold a moderate fault's evidence, short enough not to"
                  + " be diluted by the window. Rounded up to whole slides (window.slide), at most"
                  + " window.size.");

  public static final ConfigOption<Double> WILSON_Z =
      ConfigOptions.key(PREFIX + "score.wilson-z")
          .doubleType()
          .defaultValue(3.0)
          .withDescription("z of the Wilson lower bound on a service's or subset's error rate.");

  public static final ConfigOption<Double> ERROR_EVIDENCE =
      ConfigOptions.key(PREFIX + "score.error-evidence")
          .doubleType()
          .defaultValue(16.0)
          .withDescription(
              "Evidence (log-likelihood ratio in nats against the peers' error rate) an endpoint's"
                  + " errors need before they count against it; a healthy endpoint reaches it with"
                  + " a chance of at most e^-value per judgement.");

  public static final ConfigOption<Double> LATENCY_EVIDENCE =
      ConfigOptions.key(PREFIX + "score.latency-evidence")
          .doubleType()
          .defaultValue(16.0)
          .withDescription(
              "Evidence (log-likelihood ratio in nats) that more of a window's last-slide requests"
                  + " are slower than the peers' p90 than the peers' share, needed before the"
                  + " slide's median and p90 are compared with the peers'.");

  public static final ConfigOption<Double> ERROR_ESTIMATE_Z =
      ConfigOptions.key(PREFIX + "score.error-estimate-z")
          .doubleType()
          .defaultValue(0.5)
          .withDescription(
              "z of the Wilson lower bound used as the cautious estimate of an endpoint's error"
                  + " rate once the evidence is there.");

  public static final ConfigOption<Double> ERROR_RATE_FLOOR =
      ConfigOptions.key(PREFIX + "score.error-rate-floor")
          .doubleType()
          .defaultValue(0.001)
          .withDescription(
              "Lowest baseline error rate an endpoint is compared with, so that peers without a"
                  + " single error do not make one error decisive.");

  public static final ConfigOption<Double> ERROR_EXCESS_AT_ZERO =
      ConfigOptions.key(PREFIX + "score.error-excess-at-zero")
          .doubleType()
          .defaultValue(0.10)
          .withDescription(
              "Error-rate excess over the peers (lower bound minus peers' rate) at which the"
                  + " error part of the score reaches 0.");

  public static final ConfigOption<Double> LATENCY_RATIO_TOLERANCE =
      ConfigOptions.key(PREFIX + "score.latency-ratio-tolerance")
          .doubleType()
          .defaultValue(1.5)
          .withDescription("p99 up to this multiple of the peers' median p99 costs nothing.");

  public static final ConfigOption<Double> LATENCY_RATIO_AT_ZERO =
      ConfigOptions.key(PREFIX + "score.latency-ratio-at-zero")
          .doubleType()
          .defaultValue(4.0)
          .withDescription("p99 multiple of the peers' median at which the latency part is 0.");

  public static final ConfigOption<Duration> MIN_LATENCY_EXCESS =
      ConfigOptions.key(PREFIX + "score.min-latency-excess")
          .durationType()
          .defaultValue(Duration.ofMillis(5))
          .withDescription("p99 differences to the peers' median below this are never penalised.");

  public static final ConfigOption<Double> DEGRADED_BELOW =
      ConfigOptions.key(PREFIX + "score.degraded-below")
          .doubleType()
          .defaultValue(0.8)
          .withDescription("Scores below this are DEGRADED.");

  public static final ConfigOption<Double> UNHEALTHY_BELOW =
      ConfigOptions.key(PREFIX + "score.unhealthy-below")
          .doubleType()
          .defaultValue(0.5)
          .withDescription("Scores below this are UNHEALTHY.");

  public static final ConfigOption<Double> SERVICE_ERROR_RATE_TOLERANCE =
      ConfigOptions.key(PREFIX + "score.service-error-rate-tolerance")
          .doubleType()
          .defaultValue(0.01)
          .withDescription("Absolute error rate a whole service (or subset) may have for free.");

  public static final ConfigOption<Duration> SERVICE_P99_THRESHOLD =
      ConfigOptions.key(PREFIX + "score.service-p99-threshold")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription("Absolute p99 above which a whole service (or subset) is penalised.");

  // Runtime

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key(PREFIX + "checkpoint.interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Interval of exactly-once checkpoints of window state and offsets.");

  public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
      ConfigOptions.key(PREFIX + "checkpoint.timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription(
              "How long a checkpoint may take; one that takes longer is abandoned and counts as"
                  + " failed. With EXACTLY_ONCE, checkpoint.interval plus this must be shorter"
                  + " than kafka.transaction-timeout.");

  public static final ConfigOption<Integer> CHECKPOINT_TOLERABLE_FAILURES =
      ConfigOptions.key(PREFIX + "checkpoint.tolerable-failures")
          .intType()
          .defaultValue(Integer.MAX_VALUE)
          .withDescription(
              "Checkpoints in a row that may fail before the job restarts; by default any number:"
                  + " a checkpoint storage that fails does not stop scoring, and"
                  + " MeshHealthJobCheckpointsFailing fires after 15 minutes without a completed"
                  + " one. A restart would read again from the last completed checkpoint and"
                  + " re-emit old windows. Flink's own default is 0.");

  public static final ConfigOption<String> CHECKPOINT_DIRECTORY =
      ConfigOptions.key(PREFIX + "checkpoint.directory")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "URI of the checkpoint storage, e.g. file:///var/lib/meshpulse/checkpoints; unset"
                  + " keeps Flink's own setting (execution.checkpointing.dir).");

  public static final ConfigOption<StateBackend> STATE_BACKEND =
      ConfigOptions.key(PREFIX + "state.backend")
          .enumType(StateBackend.class)
          .defaultValue(StateBackend.HASHMAP)
          .withDescription(
              "HASHMAP keeps state on the heap (fastest); ROCKSDB keeps it on local disk for"
                  + " very many endpoints.");

  public static final ConfigOption<Duration> RESTART_MAX_BACKOFF =
      ConfigOptions.key(PREFIX + "restart.max-backoff")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "The job restarts after failures with exponential delay from 1 s up to this.");

  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key(PREFIX + "parallelism")
          .intType()
          .noDefaultValue()
          .withDescription(
              "Parallelism of the job (at least 1); unset keeps the environment's default.");

  public static final ConfigOption<Integer> PROMETHEUS_PORT =
      ConfigOptions.key(PREFIX + "metrics.prometheus-port")
          .intType()
          .defaultValue(19249)
          .withDescription(
              "Port of Flink's Prometheus reporter when the job runs its own local cluster"
                  + " (HealthJob.main, the standalone runtime); on a Flink cluster the reporter is"
                  + " configured in the cluster's config file.");

  public static final ConfigOption<String> JOB_NAME =
      ConfigOptions.key(PREFIX + "job-name")
          .stringType()
          .defaultValue("meshpulse-health")
          .withDescription("Name of the Flink job.");

  /**
   * Settings {@code meshpulse.health.kafka.properties.<key>}: Kafka client properties given to the
   * source and the sinks (TLS, SASL); the job's own settings of a client win over them.
   */
  public static final String KAFKA_PROPERTIES_PREFIX = PREFIX + "kafka.properties.";

  /**
   * Kafka properties the access records' source sets itself, over {@link #KAFKA_PROPERTIES_PREFIX}:
   * the job's (group, partition discovery, fetch wait) and those Flink's {@code KafkaSource} always
   * sets.
   */
  public static final Set<String> SOURCE_OWN_PROPERTIES =
      Set.of(
          "group.id",
          "partition.discovery.interval.ms",
          "fetch.max.wait.ms",
          "key.deserializer",
          "value.deserializer",
          "auto.offset.reset");

  private static final Set<String> KEYS = declaredKeys();

  private HealthJobOptions() {}

  /** The key of every option above. */
  public static Set<String> keys() {
    return KEYS;
  }

  /**
   * Fails naming the first {@code meshpulse.health.*} key of {@code settings} that is no option of
   * the job (a typo would otherwise be ignored and the default silently used); other keys, such as
   * Flink's own, pass.
   */
  public static void requireKnown(Map<String, String> settings) {
    for (String key : new TreeSet<>(settings.keySet())) {
      if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
        kafkaProperty(key);
      } else if (key.startsWith(PREFIX) && !KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown setting "
                + key
                + ": the health job's settings are listed in docs/stream-processor.md");
      }
    }
  }

  /**
   * The Kafka client properties among {@code settings} ({@link #KAFKA_PROPERTIES_PREFIX}), by their
   * Kafka key.
   */
  public static java.util.Properties kafkaProperties(Map<String, String> settings) {
    java.util.Properties properties = new java.util.Properties();
    settings.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
            properties.setProperty(kafkaProperty(key), value);
          }
        });
    return properties;
  }

  /**
   * The settings among {@code settings}' Kafka client properties that a client's {@code own}
   * properties replace, by their full key, sorted: they have no effect on that client.
   */
  public static List<String> replacedKafkaProperties(
      Map<String, String> settings, Set<String> own) {
    List<String> replaced = new ArrayList<>();
    for (String key : new TreeSet<>(settings.keySet())) {
      if (key.startsWith(KAFKA_PROPERTIES_PREFIX) && own.contains(kafkaProperty(key))) {
        replaced.add(key);
      }
    }
    return replaced;
  }

  private static String kafkaProperty(String key) {
    String kafkaKey = key.substring(KAFKA_PROPERTIES_PREFIX.length());
    if (kafkaKey.isBlank()) {
      throw new IllegalArgumentException(key + ": a Kafka property name must follow the prefix");
    }
    if (kafkaKey.equals("bootstrap.servers")) {
      throw new IllegalArgumentException(key + ": set " + BOOTSTRAP_SERVERS.key() + " instead");
    }
    return kafkaKey;
  }

  private static Set<String> declaredKeys() {
    Set<String> keys = new TreeSet<>();
    for (ConfigOption<?> option : options()) {
      keys.add(option.key());
    }
    return Set.copyOf(keys);
  }

  /** Every option above. */
  public static List<ConfigOption<?>> options() {
    List<ConfigOption<?>> options = new java.util.ArrayList<>();
    for (Field field : HealthJobOptions.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
        try {
          options.add((ConfigOption<?>) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return options;
  }

  /**
   * Reads every option of {@code conf} that is set, so that a value of the wrong type (a duration
   * {@code fast}) fails naming its key.
   */
  static void requireReadable(ReadableConfig conf) {
    for (ConfigOption<?> option : options()) {
      conf.getOptional(option);
    }
  }

  /** The scoring thresholds from {@code conf}; fails fast naming the bad value. */
  public static ScoringThresholds thresholds(ReadableConfig conf) {
    try {
      return scoringThresholds(conf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid " + PREFIX + "score.* settings: " + withOptionKeys(e.getMessage()), e);
    }
  }

  /** {@link ScoringThresholds}' field names, as its messages use them, and their options. */
  private static final Map<String, ConfigOption<?>> THRESHOLD_FIELDS =
      Map.ofEntries(
          Map.entry("minRequests", MIN_REQUESTS),
          Map.entry("minLatencyRequests", MIN_LATENCY_REQUESTS),
          Map.entry("minRecentLatencyRequests", MIN_RECENT_LATENCY_REQUESTS),
          Map.entry("z", WILSON_Z),
          Map.entry("errorEvidence", ERROR_EVIDENCE),
          Map.entry("latencyEvidence", LATENCY_EVIDENCE),
          Map.entry("recentSpanMillis", RECENT_SPAN),
          Map.entry("errorEstimateZ", ERROR_ESTIMATE_Z),
          Map.entry("errorRateFloor", ERROR_RATE_FLOOR),
          Map.entry("errorExcessAtZero", ERROR_EXCESS_AT_ZERO),
          Map.entry("latencyRatioTolerance", LATENCY_RATIO_TOLERANCE),
          Map.entry("latencyRatioAtZero", LATENCY_RATIO_AT_ZERO),
          Map.entry("minLatencyExcessMillis", MIN_LATENCY_EXCESS),
          Map.entry("degradedBelow", DEGRADED_BELOW),
          Map.entry("unhealthyBelow", UNHEALTHY_BELOW),
          Map.entry("serviceErrorRateTolerance", SERVICE_ERROR_RATE_TOLERANCE),
          Map.entry("serviceP99ThresholdMillis", SERVICE_P99_THRESHOLD));

  private static final Pattern IDENTIFIER = Pattern.compile("\\b[a-zA-Z][a-zA-Z0-9]*\\b");

  /** The message with each threshold field name replaced by its option's key. */
  static String withOptionKeys(@Nullable String message) {
    if (message == null) {
      return "";
    }
    return IDENTIFIER
        .matcher(message)
        .replaceAll(
            m -> {
              ConfigOption<?> option = THRESHOLD_FIELDS.get(m.group());
              return Matcher.quoteReplacement(option != null ? option.key() : m.group());
            });
  }

  /** {@link #RECENT_SPAN} rounded up to whole slides, at most the window (0 when not positive). */
  private static long recentSpanMillis(ReadableConfig conf) {
    long span = conf.get(RECENT_SPAN).toMillis();
    long slide = conf.get(WINDOW_SLIDE).toMillis();
    if (span <= 0 || slide <= 0) {
      return span;
    }
    long slides = (span + slide - 1) / slide;
    return Math.min(slides * slide, Math.max(slide, conf.get(WINDOW_SIZE).toMillis()));
  }

  private static ScoringThresholds scoringThresholds(ReadableConfig conf) {
    return ScoringThresholds.builder()
        .minRequests(conf.get(MIN_REQUESTS))
        .minLatencyRequests(conf.get(MIN_LATENCY_REQUESTS))
        .minRecentLatencyRequests(conf.get(MIN_RECENT_LATENCY_REQUESTS))
        .z(conf.get(WILSON_Z))
        .errorEvidence(conf.get(ERROR_EVIDENCE))
        .latencyEvidence(conf.get(LATENCY_EVIDENCE))
        .recentSpanMillis(recentSpanMillis(conf))
        .errorEstimateZ(conf.get(ERROR_ESTIMATE_Z))
        .errorRateFloor(conf.get(ERROR_RATE_FLOOR))
        .errorExcessAtZero(conf.get(ERROR_EXCESS_AT_ZERO))
        .latencyRatioTolerance(conf.get(LATENCY_RATIO_TOLERANCE))
        .latencyRatioAtZero(conf.get(LATENCY_RATIO_AT_ZERO))
        .minLatencyExcessMillis(conf.get(MIN_LATENCY_EXCESS).toNanos() / 1e6)
        .degradedBelow(conf.get(DEGRADED_BELOW))
        .unhealthyBelow(conf.get(UNHEALTHY_BELOW))
        .serviceErrorRateTolerance(conf.get(SERVICE_ERROR_RATE_TOLERANCE))
        .serviceP99ThresholdMillis(conf.get(SERVICE_P99_THRESHOLD).toNanos() / 1e6)
        .build();
  }
}
