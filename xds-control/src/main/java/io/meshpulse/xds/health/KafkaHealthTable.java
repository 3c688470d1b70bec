package io.meshpulse.xds.health;

import io.meshpulse.model.MeshSerdes;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RecordTime;
import io.meshpulse.xds.topology.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health table: a Kafka Streams topology materialising the endpoint-health and service-health
 * topics into state stores (the compacted source topics serve as changelogs, so a restart restores
 * them), calling a listener on every update so the policy evaluates at once.
 *
 * <p>{@link #ready()} turns true, once, when Streams is RUNNING (stores restored) and the
 * application has consumed the health topics up to where they ended at start: until then the
 * control plane must neither reset weights nor eject anyone.
 *
 * <p>The policy reads the tables on every evaluation, and a stream of updates asks for one
 * evaluation after another. So a read does not scan and parse a store: every update the topology
 * processes also lands, already parsed, in memory ({@link LatestByKey}), which the first read after
 * a restore seeds from the stores. And {@link #table(Topology)} looks up only the endpoints the
 * topology routes. At 10,000 endpoints and two records each a second, evaluating back to back with
 * a store scan each time kept the policy loop at half a core (docs/routing-policy.md, "When it
 * runs").
 */
public final class KafkaHealthTable implements AutoCloseable {
  static final String ENDPOINT_STORE = "endpoint-health";
  static final String SERVICE_STORE = "service-health";
  private static final Logger logger = LoggerFactory.getLogger(KafkaHealthTable.class);
  static final long FUTURE_TOLERANCE_MILLIS = 1_000;
  // ready() runs on the policy loop's thread: a broker that does not answer must not hold it for
  // the Admin client's default minute; the next evaluation asks again.
  private static final long ADMIN_TIMEOUT_SECONDS = 2;

  private final HealthStreamsConfig config;
  private final Clock clock;
  private final KafkaStreams streams;
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong updates = new AtomicLong();
  private final AtomicLong futureDated = new AtomicLong();
  private final AtomicLong superseded = new AtomicLong();
  private final LatestByKey<EndpointId, HealthObservation> endpoints = new LatestByKey<>();
  private final LatestByKey<String, ServiceHealth> services = new LatestByKey<>();
  // The newest observation time put into `endpoints`, for the table's lastRecordAt.
  private final AtomicLong newestMillis = new AtomicLong(Long.MIN_VALUE);
  private final Admin admin;
  private volatile @Nullable Map<TopicPartition, Long> endOffsetsAtStart;
  private volatile boolean ready;

  /**
   * @param clock what "now" is for a record dated in the future
   * @param onUpdate called on a Streams thread after each update
   */
  public KafkaHealthTable(HealthStreamsConfig config, Clock clock, Runnable onUpdate) {
    this.config = config;
    this.clock = clock;
    StreamsBuilder builder = new StreamsBuilder();
    builder
        .table(
            config.endpointHealthTopic(),
            Consumed.with(Serdes.String(), MeshSerdes.endpointHealth()),
            Materialized.<String, EndpointHealth, KeyValueStore<Bytes, byte[]>>as(ENDPOINT_STORE))
        .toStream()
        .processValues(
            () ->
                (FixedKeyProcessor<String, EndpointHealth, Void>)
                    record -> {
                      EndpointId id = record.key() == null ? null : EndpointId.parse(record.key());
                      if (id != null && record.value() == null) {
                        endpoints.delete(id);
                      } else if (id != null) {
                        HealthObservation o = observed(record.value(), record.timestamp());
                        if (!endpoints.put(id, o, o.observedAt().toEpochMilli())) {
                          superseded.incrementAndGet();
                        }
                      } else {
                        malformed.incrementAndGet();
                      }
                      updates.incrementAndGet();
                      onUpdate.run();
                    });
    builder
        .table(
            config.serviceHealthTopic(),
            Consumed.with(Serdes.String(), MeshSerdes.serviceHealth()),
            Materialized.<String, ServiceHealth, KeyValueStore<Bytes, byte[]>>as(SERVICE_STORE))
        .toStream()
        .processValues(
            () ->
                (FixedKeyProcessor<String, ServiceHealth, Void>)
                    record -> {
                      if (record.key() != null && record.value() == null) {
                        services.delete(record.key());
                      } else if (record.key() != null
                          && !services.put(
                              record.key(), record.value(), notAhead(record.value()))) {
                        superseded.incrementAndGet();
                      }
                      // A subset's record acts on its own (a failing canary rolled back, a
                      // subset shifted away), so it too asks for an evaluation at once.
                      onUpdate.run();
                    });
    Map<String, Object> own = new LinkedHashMap<>();
    own.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    own.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    own.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    own.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    own.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) config.commitInterval().toMillis());
    own.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        CountingDeserializationHandler.class.getName());
    own.put(CountingDeserializationHandler.COUNTER, malformed);
    own.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    own.put(StreamsConfig.consumerPrefix("fetch.max.wait.ms"), 10);
    own.put(StreamsConfig.consumerPrefix("max.poll.records"), 500);
    // A restarted instance waits for its predecessor's session to expire before it gets the
    // partitions (Streams does not leave the group of a dynamic member on close): keep that short.
    own.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
    own.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 2_000);
    if (config.instanceId() != null) {
      own.put(StreamsConfig.consumerPrefix("group.instance.id"), config.instanceId());
    }
    Properties props = config.kafka().client("health table (Kafka Streams)", own);
    this.streams = new KafkaStreams(builder.build(props), props);
    try {
      this.admin = Admin.create(config.kafka().base());
    } catch (RuntimeException e) {
      streams.close(Duration.ZERO); // its clients are open already
      throw e;
    }
  }

  public void start() {
    streams.setUncaughtExceptionHandler(
        e -> {
          logger.error("health table stream thread failed, replacing it", e);
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.start();
    logger.info("health table starting applicationId={}", config.applicationId());
  }

  /** Streams RUNNING and caught up with the health topics as they were at start. */
  public boolean ready() {
    if (ready) {
      return true;
    }
    if (streams.state() != KafkaStreams.State.RUNNING) {
      return false;
    }
    try {
      Map<TopicPartition, Long> targets = endOffsetsAtStart;
      if (targets == null) {
        targets = endOffsets();
        endOffsetsAtStart = targets;
      }
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(config.applicationId())
              .partitionsToOffsetAndMetadata()
              .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, Long> e : targets.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        long position = c == null ? 0 : c.offset();
        if (position < e.getValue()) {
          return false;
        }
      }
    } catch (Exception e) {
      logger.debug("cannot check the health table's lag yet", e);
      return false;
    }
    ready = true;
    logger.info("health table ready: restored and caught up records={}", size());
    return true;
  }

  private Map<TopicPartition, Long> endOffsets() throws Exception {
    Set<String> topics = Set.of(config.endpointHealthTopic(), config.serviceHealthTopic());
    Map<TopicPartition, OffsetSpec> request =
        admin
            .describeTopics(topics)
            .allTopicNames()
            .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .values()
            .stream()
            .flatMap(
                d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
            .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
    Map<TopicPartition, Long> result = new HashMap<>();
    admin
        .listOffsets(request)
        .all()
        .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .forEach((tp, info) -> result.put(tp, info.offset()));
    return result;
  }

  /**
   * The latest endpoint health per key; each observed at the time it speaks of ({@link
   * RecordTime}).
   */
  public HealthTable table() {
    seedOnce();
    Map<EndpointId, HealthObservation> all = endpoints.all();
    return all.isEmpty() ? HealthTable.EMPTY : new HealthTable(all, lastRecordAt());
  }

  /**
   * The latest health of the topology's endpoints: the cost of a read grows with the topology, not
   * with the table. Its {@code lastRecordAt} is the newest record about any endpoint.
   */
  public HealthTable table(Topology topology) {
    seedOnce();
    return HealthTable.of(topology, endpoints::get, lastRecordAt());
  }

  /** The latest service health per key ({@code <cluster>} or {@code <cluster>/<subset>}). */
  public Map<String, ServiceHealth> services() {
    seedOnce();
    return services.all();
  }

  private @Nullable Instant lastRecordAt() {
    long newest = newestMillis.get();
    return newest == Long.MIN_VALUE ? null : Instant.ofEpochMilli(newest);
  }

  private void seedOnce() {
    if (!endpoints.seeded() || !services.seeded()) {
      seed();
    }
  }

  /**
   * Adds what the stores hold and no update has brought since (records restored from the topics),
   * once; fails like a store query while Streams is not RUNNING, and is tried again on the next
   * read.
   */
  private synchronized void seed() {
    if (!endpoints.seeded()) {
      ReadOnlyKeyValueStore<String, ValueAndTimestamp<EndpointHealth>> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  ENDPOINT_STORE, QueryableStoreTypes.timestampedKeyValueStore()));
      try (KeyValueIterator<String, ValueAndTimestamp<EndpointHealth>> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<String, ValueAndTimestamp<EndpointHealth>> kv = it.next();
          EndpointId id = EndpointId.parse(kv.key);
          if (id != null && kv.value != null && kv.value.value() != null) {
            HealthObservation o = observed(kv.value.value(), kv.value.timestamp());
            endpoints.seed(id, o, o.observedAt().toEpochMilli());
          }
        }
      }
      endpoints.markSeeded();
    }
    if (!services.seeded()) {
      ReadOnlyKeyValueStore<String, ServiceHealth> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  SERVICE_STORE, QueryableStoreTypes.keyValueStore()));
      try (KeyValueIterator<String, ServiceHealth> it = store.all()) {
        it.forEachRemaining(
            kv -> {
              if (kv.value != null) {
                services.seed(kv.key, kv.value, notAhead(kv.value));
              }
            });
      }
      services.markSeeded();
    }
  }

  /**
   * The time a service record speaks of ({@link RecordTime}), or now when that is ahead of this
   * clock: a record dated in the future must not keep the next ones from replacing it.
   */
  private long notAhead(ServiceHealth h) {
    return Math.min(RecordTime.millis(h), clock.millis());
  }

  /**
   * The record observed at the time it speaks of ({@link RecordTime}: its window's end, else its
   * emission time; else its Kafka timestamp), counted as newest. A time ahead of this clock (the
   * health job's clock runs fast) counts as now: otherwise one record dated in the future would
   * keep the table from ever looking silent until that time came, and keep its endpoint's verdict
   * fresh as long. Those more than {@link #FUTURE_TOLERANCE_MILLIS} ahead are counted.
   */
  private HealthObservation observed(EndpointHealth h, long recordTimestamp) {
    long at = RecordTime.millis(h);
    if (at <= 0) {
      at = recordTimestamp;
    }
    long now = clock.millis();
    if (at > now) {
      if (at - now > FUTURE_TOLERANCE_MILLIS) {
        futureDated.incrementAndGet();
      }
      at = now;
    }
    newestMillis.accumulateAndGet(at, Math::max);
    return new HealthObservation(h, Instant.ofEpochMilli(at));
  }

  private long size() {
    try {
      return table().byId().size();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  public long malformedRecords() {
    return malformed.get();
  }

  /** Records dated more than a second ahead of this clock, observed as of their arrival. */
  public long futureDatedRecords() {
    return futureDated.get();
  }

  /**
   * Records ignored because they judge an older window than the record held for their key: windows
   * a health job scores again after a restart from its checkpoint, or a record that overtook
   * another.
   */
  public long supersededRecords() {
    return superseded.get();
  }

  public long updates() {
    return updates.get();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    // Leave the group, so that the next instance gets the partitions at once instead of after the
    // session timeout. Streams sends the leave for a static member only (HealthStreamsConfig).
    streams.close(
        new KafkaStreams.CloseOptions().timeout(java.time.Duration.ofSeconds(10)).leaveGroup(true));
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
