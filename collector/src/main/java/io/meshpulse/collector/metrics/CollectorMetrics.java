package io.meshpulse.collector.metrics;

import io.meshpulse.collector.mapping.AccessLogDecoder;
import io.meshpulse.model.MeshpulseBuild;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The collector's own metrics, {@code meshpulse_collector_*}. Names are API: dashboards and alerts
 * depend on them (docs/collector.md lists them).
 */
public final class CollectorMetrics {
  /** The two gRPC services, as the {@code service} tag. */
  public static final String ACCESS_LOG = "access_log";

  public static final String METRICS = "metrics";

  /** Reasons of {@code meshpulse_collector_records_dropped_total}, registered at zero up front. */
  public static final String DROP_BUFFER_HARD_LIMIT = "buffer_hard_limit";

  public static final String DROP_KAFKA_REJECTED = "kafka_rejected";
  public static final String DROP_SHUTDOWN = "shutdown";
  public static final String DROP_SINK_ERROR = "sink_error";

  /** Reasons of {@link #malformed}: a message that does not parse. */
  public static final String MALFORMED_UNPARSEABLE = "unparseable";

  /** A stream whose first message names no node. */
  public static final String MALFORMED_MISSING_IDENTIFIER = "missing_identifier";

  /** An entry (or stat) that parses but cannot be mapped. */
  public static final String MALFORMED_UNMAPPABLE_ENTRY = "unmappable_entry";

  /** A message over the size limit. */
  public static final String MALFORMED_OVERSIZED = "oversized";

  /**
   * A message gRPC could not read: its frame malformed, or compressed with no compression agreed.
   */
  public static final String MALFORMED_BAD_FRAME = "bad_frame";

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AtomicInteger> openStreams = new ConcurrentHashMap<>();
  // Per acknowledged record: looked up by topic alone, without building a key string.
  private final ConcurrentMap<String, Produced> producedByTopic = new ConcurrentHashMap<>();
  private final Timer produceLatency;
  private final Counter backpressurePauses;

  public CollectorMetrics(MeterRegistry registry) {
    this.registry = registry;
    MeshpulseBuild build = MeshpulseBuild.current();
    Gauge.builder("meshpulse.build.info", () -> 1)
        .description("1, labelled with the release and revision this collector was built from")
        .tags("component", "collector", "version", build.version(), "revision", build.revision())
        .register(registry);
    this.produceLatency =
        Timer.builder("meshpulse.collector.produce.latency")
            .description("Time from handing a record to the Kafka producer to its acknowledgement")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    this.backpressurePauses =
        Counter.builder("meshpulse.collector.backpressure.pauses")
            .description("Times a gRPC stream stopped being read because the buffer was full")
            .register(registry);
    for (String service : new String[] {ACCESS_LOG, METRICS}) {
      AtomicInteger open = new AtomicInteger();
      openStreams.put(service, open);
      Gauge.builder("meshpulse.collector.streams.open", open, AtomicInteger::get)
          .description("Open gRPC streams")
          .tag("service", service)
          .register(registry);
    }
    // A drop is rare: without its zero the "drops by reason" series would not exist until one.
    for (String reason :
        new String[] {
          DROP_BUFFER_HARD_LIMIT, DROP_KAFKA_REJECTED, DROP_SHUTDOWN, DROP_SINK_ERROR
        }) {
      dropped(reason, 0);
    }
    // And a skipped entry, which most proxies never send.
    for (AccessLogDecoder.Skip skip : AccessLogDecoder.Skip.values()) {
      entriesSkipped(skip.reason(), 0);
    }
    // So is a rejected message: each (service, reason) is exported from start.
    for (String service : new String[] {ACCESS_LOG, METRICS}) {
      for (String reason :
          new String[] {
            MALFORMED_UNPARSEABLE,
            MALFORMED_MISSING_IDENTIFIER,
            MALFORMED_UNMAPPABLE_ENTRY,
            MALFORMED_OVERSIZED,
            MALFORMED_BAD_FRAME
          }) {
        malformedCounter(service, reason);
      }
    }
  }

  /**
   * Registers the buffer fill gauges and the soft limits they are measured against (where the
   * collector stops reading its streams), so a dashboard can show the fill as a fraction.
   */
  public void bufferGauges(
      Supplier<Number> records,
      Supplier<Number> bytes,
      Supplier<Number> pausedStreams,
      long maxRecords,
      long maxBytes) {
    Gauge.builder("meshpulse.collector.buffer.limit.records", () -> maxRecords)
        .description("Soft limit of the buffer in records: reading pauses there")
        .register(registry);
    Gauge.builder("meshpulse.collector.buffer.limit.bytes", () -> maxBytes)
        .description("Soft limit of the buffer in bytes: reading pauses there")
        .register(registry);
    Gauge.builder("meshpulse.collector.buffer.records", records)
        .description("Records in the buffer: queued plus sent and not yet acknowledged")
        .register(registry);
    Gauge.builder("meshpulse.collector.buffer.bytes", bytes)
        .description("Bytes in the buffer: queued plus sent and not yet acknowledged")
        .register(registry);
    Gauge.builder("meshpulse.collector.streams.paused", pausedStreams)
        .description("gRPC streams not being read until the buffer has room")
        .register(registry);
  }

  /** Entries received, by kind: http, tcp, stats. */
  public void entriesReceived(String kind, int count) {
    counter("meshpulse.collector.entries.received", "Envoy entries received", "kind", kind)
        .increment(count);
  }

  /**
   * Entries received that are no record of their own, by reason ({@link AccessLogDecoder.Skip}):
   * HTTP entries Envoy writes during a request or for its upstream attempts, beside the one entry
   * of its end. Neither lost telemetry nor bad input, so neither {@code records_dropped} nor {@code
   * messages_malformed} (whose alerts would fire for every proxy configured to log them): counted
   * here, so that received entries add up to records, skipped and unmappable entries.
   */
  public void entriesSkipped(String reason, int count) {
    counter(
            "meshpulse.collector.entries.skipped",
            "Entries received that are not a record of their own (not a request's end)",
            "reason",
            reason)
        .increment(count);
  }

  public void batchReceived(String service, int bytes) {
    counter("meshpulse.collector.batches.received", "gRPC messages received", "service", service)
        .increment();
    counter("meshpulse.collector.bytes.received", "gRPC message bytes received", "service", service)
        .increment(bytes);
  }

  public void malformed(String service, String reason) {
    malformedCounter(service, reason).increment();
  }

  private Counter malformedCounter(String service, String reason) {
    return counter(
        "meshpulse.collector.messages.malformed",
        "Rejected gRPC messages and entries",
        "service",
        service,
        "reason",
        reason);
  }

  /**
   * TCP connections whose byte totals a stream stopped remembering before their end, to make room:
   * their later entries count the bytes of their earlier ones again.
   */
  public void tcpConnectionsForgotten(int count) {
    if (count > 0) {
      counter(
              "meshpulse.collector.tcp.connections.forgotten",
              "TCP connections whose byte totals were forgotten before their end")
          .increment(count);
    }
  }

  /**
   * TCP connections a stream first saw in a periodic entry, older than the stream (the proxy's
   * previous stream carried their earlier entries): that entry set their baseline, and the bytes
   * they moved before it were not counted by this stream.
   */
  public void tcpConnectionsJoined(int count) {
    if (count > 0) {
      counter(
              "meshpulse.collector.tcp.connections.joined",
              "TCP connections first seen in a periodic entry on a stream younger than them")
          .increment(count);
    }
  }

  /** Entries whose Istio peer metadata was not readable: mapped without it. */
  public void peerMetadataUnreadable(int count) {
    if (count > 0) {
      counter(
              "meshpulse.collector.peer.metadata.unreadable",
              "Entries whose Istio peer metadata was not readable, mapped without it")
          .increment(count);
    }
  }

  /** The TCP connections whose byte totals the streams remember. */
  public void tcpConnectionsTracked(Supplier<Number> tracked) {
    Gauge.builder("meshpulse.collector.tcp.connections.tracked", tracked)
        .description("TCP connections whose byte totals the streams remember between entries")
        .register(registry);
  }

  public void dropped(String reason, int count) {
    counter("meshpulse.collector.records.dropped", "Records dropped", "reason", reason)
        .increment(count);
  }

  /** The meters of records acknowledged on {@code topic}, to resolve once and use per record. */
  public Produced producedMeter(String topic) {
    Produced produced = producedByTopic.get(topic);
    if (produced == null) {
      produced =
          producedByTopic.computeIfAbsent(
              topic,
              t ->
                  new Produced(
                      counter(
                          "meshpulse.collector.records.produced",
                          "Records acknowledged by Kafka",
                          "topic",
                          t),
                      counter(
                          "meshpulse.collector.produce.retries",
                          "Records the producer could not take or deliver, to be sent again",
                          "topic",
                          t),
                      produceLatency));
    }
    return produced;
  }

  /** Counts the records of one topic acknowledged (timing them) or to be sent again. */
  public static final class Produced {
    private final Counter counter;
    private final Counter retries;
    private final Timer latency;

    private Produced(Counter counter, Counter retries, Timer latency) {
      this.counter = counter;
      this.retries = retries;
      this.latency = latency;
    }

    public void record(long latencyNanos) {
      counter.increment();
      latency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    public void retried() {
      retries.increment();
    }
  }

  /** An unexpected exception in the Kafka sink, by its class's simple name. */
  public void sinkError(String exception) {
    counter(
            "meshpulse.collector.sink.errors",
            "Unexpected exceptions in the Kafka sink; it keeps running",
            "exception",
            exception)
        .increment();
  }

  /** Registers the gauge of the sink thread: 1 while it runs. */
  public void sinkGauge(Supplier<Number> running) {
    Gauge.builder("meshpulse.collector.sink.running", running)
        .description("1 while the Kafka sink thread runs, 0 before its start or after it ended")
        .register(registry);
  }

  public void backpressurePaused() {
    backpressurePauses.increment();
  }

  public void streamOpened(String service) {
    openStreams.get(service).incrementAndGet();
  }

  public void streamClosed(String service) {
    openStreams.get(service).decrementAndGet();
  }

  public void cardinalityOverflow(String metric, String label) {
    counter(
            "meshpulse.collector.cardinality.overflow",
            "Label values or series folded into \"other\" by the cardinality guard",
            "metric",
            metric,
            "label",
            label)
        .increment();
  }

  private Counter counter(String name, String description, String... tags) {
    String key = name + String.join("\u0000", tags);
    Counter counter = counters.get(key);
    if (counter == null) {
      counter =
          counters.computeIfAbsent(
              key,
              k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }
    return counter;
  }
}
