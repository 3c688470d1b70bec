package io.meshpulse.collector;

import io.meshpulse.model.Topics;
import io.meshpulse.tls.TlsFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The collector's configuration, {@code meshpulse.collector.*}, validated when it is bound: a bad
 * value fails start-up with a message naming the property. docs/collector.md lists every property.
 */
@ConfigurationProperties("meshpulse.collector")
public record CollectorProperties(
    @DefaultValue Grpc grpc,
    @DefaultValue Kafka kafka,
    @DefaultValue Buffer buffer,
    @DefaultValue Mapping mapping,
    @DefaultValue Cardinality cardinality,
    @DefaultValue Stats stats,
    @DefaultValue Tracing tracing) {

  /** The gRPC listener (AccessLogService, MetricsService). */
  public record Grpc(
      @DefaultValue("19000") int port,
      @DefaultValue("0.0.0.0") String bindAddress,
      @DefaultValue("4MB") DataSize maxInboundMessageSize,
      @DefaultValue("5s") Duration shutdownGracePeriod,
      @DefaultValue("0") Duration maxConnectionAge,
      @DefaultValue("30s") Duration maxConnectionAgeGrace,
      @DefaultValue Tls tls) {
    public Grpc {
      require(port >= 0 && port <= 65535, "grpc.port", "must be between 0 and 65535");
      require(!bindAddress.isBlank(), "grpc.bind-address", "must not be blank");
      require(
          maxInboundMessageSize.toBytes() >= 1024
              && maxInboundMessageSize.toBytes() <= Integer.MAX_VALUE,
          "grpc.max-inbound-message-size",
          "must be between 1KB and 2GB");
      require(!shutdownGracePeriod.isNegative(), "grpc.shutdown-grace-period", "must be >= 0");
      require(
          maxConnectionAge.isZero() || maxConnectionAge.compareTo(Duration.ofSeconds(1)) >= 0,
          "grpc.max-connection-age",
          "must be 0 (off) or at least 1s");
      require(!maxConnectionAgeGrace.isNegative(), "grpc.max-connection-age-grace", "must be >= 0");
    }
  }

  /**
   * TLS on the gRPC listener. With {@code trust-ca} set, clients must present a certificate signed
   * by it (mTLS). The files are read again every {@code reload-interval} and, when they changed,
   * serve the connections opened from then on ({@code 0}: read once, at start).
   */
  public record Tls(
      @DefaultValue("false") boolean enabled,
      @Nullable Path certChain,
      @Nullable Path privateKey,
      @Nullable Path trustCa,
      @DefaultValue("1m") Duration reloadInterval) {
    public Tls {
      TlsFiles.of(PREFIX, enabled, certChain, privateKey, trustCa, reloadInterval);
    }

    private static final String PREFIX = "meshpulse.collector.grpc.tls";

    /** The files, or none with TLS off. */
    public @Nullable TlsFiles files() {
      return TlsFiles.of(PREFIX, enabled, certChain, privateKey, trustCa, reloadInterval);
    }
  }

  /** The Kafka producer and topics. */
  public record Kafka(
      @DefaultValue("127.0.0.1:19092") String bootstrapServers,
      @DefaultValue(Topics.ACCESS_RECORDS) String accessRecordsTopic,
      @DefaultValue(Topics.PROXY_STATS) String proxyStatsTopic,
      @DefaultValue("lz4") String compressionType,
      @DefaultValue("5ms") Duration linger,
      @DefaultValue("128KB") DataSize batchSize,
      @DefaultValue("32MB") DataSize producerBufferMemory,
      @DefaultValue("30s") Duration requestTimeout,
      @DefaultValue("10m") Duration deliveryTimeout,
      @DefaultValue("1s") Duration maxBlock,
      @DefaultValue("10s") Duration shutdownTimeout,
      @DefaultValue Map<String, String> properties) {
    public Kafka {
      require(!bootstrapServers.isBlank(), "kafka.bootstrap-servers", "must not be blank");
      require(!accessRecordsTopic.isBlank(), "kafka.access-records-topic", "must not be blank");
      require(!proxyStatsTopic.isBlank(), "kafka.proxy-stats-topic", "must not be blank");
      require(
          java.util.Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(compressionType),
          "kafka.compression-type",
          "must be one of none, gzip, snappy, lz4, zstd");
      require(
          deliveryTimeout.compareTo(linger.plus(requestTimeout)) >= 0,
          "kafka.delivery-timeout",
          "must be at least kafka.linger + kafka.request-timeout");
      requireMillis(linger, "kafka.linger");
      requireMillis(requestTimeout, "kafka.request-timeout");
      requireMillis(deliveryTimeout, "kafka.delivery-timeout");
      requireMillis(maxBlock, "kafka.max-block");
      require(maxBlock.toMillis() > 0, "kafka.max-block", "must be at least 1ms");
      require(!shutdownTimeout.isNegative(), "kafka.shutdown-timeout", "must be >= 0");
      require(
          batchSize.toBytes() > 0 && batchSize.toBytes() <= Integer.MAX_VALUE,
          "kafka.batch-size",
          "must be between 1B and 2GB");
      require(
          producerBufferMemory.toBytes() > 0, "kafka.producer-buffer-memory", "must be positive");
      require(
          !properties.containsKey("bootstrap.servers"),
          "kafka.properties.bootstrap.servers",
          "is refused: set meshpulse.collector.kafka.bootstrap-servers");
    }

    /** A producer setting in milliseconds: at least zero, at most Integer.MAX_VALUE ms. */
    private static void requireMillis(Duration value, String property) {
      require(!value.isNegative(), property, "must be >= 0");
      require(
          value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) <= 0,
          property,
          "must be at most " + Integer.MAX_VALUE + "ms (about 24 days)");
    }
  }

  /**
   * The buffer between gRPC and Kafka. At {@code max-records} / {@code max-bytes} the collector
   * stops reading its streams; a batch that would pass the hard limits is dropped.
   */
  public record Buffer(
      @DefaultValue("100000") long maxRecords,
      @DefaultValue("64MB") DataSize maxBytes,
      @DefaultValue("400000") long hardMaxRecords,
      @DefaultValue("256MB") DataSize hardMaxBytes) {
    public Buffer {
      require(maxRecords > 0, "buffer.max-records", "must be positive");
      require(maxBytes.toBytes() > 0, "buffer.max-bytes", "must be positive");
      require(hardMaxRecords >= maxRecords, "buffer.hard-max-records", "must be >= max-records");
      require(
          hardMaxBytes.toBytes() >= maxBytes.toBytes(),
          "buffer.hard-max-bytes",
          "must be >= max-bytes");
    }
  }

  /** Mapping of Envoy entries to access records. */
  public record Mapping(
      @DefaultValue("false") boolean keepPath,
      @DefaultValue List<String> keepHeaders,
      @DefaultValue("SOURCE") DefaultReporter defaultReporter,
      @DefaultValue PlainNodes plainNodes,
      @DefaultValue("100000") int maxTcpConnections) {
    public Mapping {
      require(maxTcpConnections >= 1, "mapping.max-tcp-connections", "must be at least 1");
    }
  }

  /** The reporter of entries whose upstream cluster name has no inbound/outbound prefix. */
  public enum DefaultReporter {
    SOURCE,
    DESTINATION
  }

  /** How plain (non-Istio) Envoy nodes become workloads. */
  public record PlainNodes(
      @DefaultValue("NODE_CLUSTER")
          io.meshpulse.collector.mapping.PlainNodeMapping.WorkloadSource workloadSource,
      @DefaultValue("workload") String workloadKey,
      @DefaultValue("namespace") String namespaceKey,
      @DefaultValue("app") String appKey,
      @DefaultValue("version") String versionKey,
      @DefaultValue("cluster") String meshClusterKey,
      @DefaultValue("") String defaultNamespace) {}

  /** Caps of the Istio-standard metrics. */
  public record Cardinality(
      @DefaultValue("1000") int maxValuesPerLabel,
      @DefaultValue("10000") int maxSeriesPerMetric,
      @DefaultValue("100") int maxEgressHosts) {
    public Cardinality {
      require(maxValuesPerLabel >= 1, "cardinality.max-values-per-label", "must be >= 1");
      require(maxSeriesPerMetric >= 2, "cardinality.max-series-per-metric", "must be >= 2");
      require(maxEgressHosts >= 0, "cardinality.max-egress-hosts", "must be >= 0");
    }
  }

  /** MetricsService handling. */
  public record Stats(
      @DefaultValue("10000") int maxTrackedNodes, @DefaultValue("false") boolean countersAsDeltas) {
    public Stats {
      require(maxTrackedNodes >= 1, "stats.max-tracked-nodes", "must be >= 1");
    }
  }

  /**
   * OpenTelemetry traces of the collector's own batches (one span per received message), off by
   * default; exported over OTLP/gRPC when {@code otlp-endpoint} is set.
   */
  public record Tracing(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("0.01") double sampleRatio,
      @Nullable URI otlpEndpoint,
      @DefaultValue("meshpulse-collector") String serviceName) {
    public Tracing {
      require(
          sampleRatio >= 0 && sampleRatio <= 1, "tracing.sample-ratio", "must be between 0 and 1");
    }
  }

  private static void require(boolean condition, String property, String message) {
    if (!condition) {
      throw new IllegalArgumentException("meshpulse.collector." + property + " " + message);
    }
  }
}
