package io.meshpulse.collector;

import io.meshpulse.collector.ingest.AccessLogIngest;
import io.meshpulse.collector.ingest.IngestPipeline;
import io.meshpulse.collector.ingest.MetricsIngest;
import io.meshpulse.collector.ingest.OversizedMessageTracer;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.collector.mapping.ProxyStatsMapper;
import io.meshpulse.collector.metrics.CardinalityLimits;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.collector.metrics.IstioMetrics;
import io.meshpulse.collector.sink.BufferLimits;
import io.meshpulse.collector.sink.KafkaSink;
import io.meshpulse.collector.sink.RecordBuffer;
import io.meshpulse.model.v1.Reporter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the collector: gRPC edge → mapping → buffer → Kafka, plus the metrics. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CollectorProperties.class)
class CollectorConfiguration {
  private static final Logger logger = LoggerFactory.getLogger(CollectorConfiguration.class);

  /** Producer properties the collector sets from a property of its own, by that property. */
  private static final Map<String, String> OWN_PROPERTY_OF =
      Map.of(
          ProducerConfig.COMPRESSION_TYPE_CONFIG, "compression-type",
          ProducerConfig.LINGER_MS_CONFIG, "linger",
          ProducerConfig.BATCH_SIZE_CONFIG, "batch-size",
          ProducerConfig.BUFFER_MEMORY_CONFIG, "producer-buffer-memory",
          ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "request-timeout",
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "delivery-timeout",
          ProducerConfig.MAX_BLOCK_MS_CONFIG, "max-block");

  /** The collector's HTTP port when {@code server.port} is not set anywhere. */
  static final int DEFAULT_HTTP_PORT = 19080;

  @Bean
  WebServerFactoryCustomizer<ConfigurableWebServerFactory> collectorDefaultHttpPort(
      Environment environment) {
    return factory -> {
      if (!environment.containsProperty("server.port")) {
        factory.setPort(DEFAULT_HTTP_PORT);
      }
    };
  }

  @Bean
  Clock collectorClock() {
    return Clock.systemUTC();
  }

  @Bean
  CollectorMetrics collectorMetrics(MeterRegistry registry) {
    return new CollectorMetrics(registry);
  }

  @Bean
  RecordBuffer recordBuffer(CollectorProperties properties, CollectorMetrics metrics) {
    CollectorProperties.Buffer config = properties.buffer();
    RecordBuffer buffer =
        new RecordBuffer(
            new BufferLimits(
                config.maxRecords(),
                config.maxBytes().toBytes(),
                config.hardMaxRecords(),
                config.hardMaxBytes().toBytes()));
    metrics.bufferGauges(
        buffer::records,
        buffer::bytes,
        buffer::waiting,
        config.maxRecords(),
        config.maxBytes().toBytes());
    return buffer;
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  KafkaSink kafkaSink(
      CollectorProperties properties,
      RecordBuffer buffer,
      CollectorMetrics metrics,
      ApplicationContext context) {
    CollectorProperties.Kafka kafka = properties.kafka();
    replacedProducerProperties(kafka).forEach(logger::warn);
    // A sink ended by an Error cannot write again: the liveness probe then restarts the process.
    return new KafkaSink(
        buffer,
        new KafkaProducer<>(producerConfig(kafka)),
        metrics,
        kafka.shutdownTimeout(),
        () -> AvailabilityChangeEvent.publish(context, LivenessState.BROKEN));
  }

  /**
   * The producer's configuration: {@code kafka.properties}, then the collector's own settings,
   * which win, so that a property cannot break what the sink relies on (its serializers, idempotent
   * writes with acknowledgements from all replicas) nor silently replace a setting of its own
   * ({@code kafka.linger} and the rest), as for every Kafka client of meshpulse.
   */
  static Map<String, Object> producerConfig(CollectorProperties.Kafka kafka) {
    Map<String, Object> config = new HashMap<>(kafka.properties());
    config.putAll(ownProducerConfig(kafka));
    return config;
  }

  private static Map<String, Object> ownProducerConfig(CollectorProperties.Kafka kafka) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "meshpulse-collector");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, kafka.compressionType());
    config.put(ProducerConfig.LINGER_MS_CONFIG, (int) kafka.linger().toMillis());
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) kafka.batchSize().toBytes());
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, kafka.producerBufferMemory().toBytes());
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) kafka.requestTimeout().toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) kafka.deliveryTimeout().toMillis());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, kafka.maxBlock().toMillis());
    return config;
  }

  /**
   * In words, each of {@code kafka.properties} that the collector's own settings replace (an equal
   * value replaces nothing), naming what to set instead; logged as warnings at start.
   */
  static List<String> replacedProducerProperties(CollectorProperties.Kafka kafka) {
    Map<String, Object> own = ownProducerConfig(kafka);
    List<String> replaced = new ArrayList<>();
    for (Map.Entry<String, String> property : new TreeMap<>(kafka.properties()).entrySet()) {
      String key = property.getKey();
      Object value = own.get(key);
      if (value == null || String.valueOf(value).equals(property.getValue())) {
        continue;
      }
      String ownProperty = OWN_PROPERTY_OF.get(key);
      replaced.add(
          "meshpulse.collector.kafka.properties."
              + key
              + "="
              + property.getValue()
              + " does not apply to the collector's producer: "
              + (ownProperty != null
                  ? "set meshpulse.collector.kafka." + ownProperty + " instead"
                  : "it sets " + key + "=" + value + " itself"));
    }
    return replaced;
  }

  @Bean
  IstioMetrics istioMetrics(
      CollectorProperties properties,
      CollectorMetrics metrics,
      ObjectProvider<PrometheusRegistry> prometheus) {
    IstioMetrics istio =
        new IstioMetrics(
            new CardinalityLimits(
                properties.cardinality().maxValuesPerLabel(),
                properties.cardinality().maxSeriesPerMetric(),
                properties.cardinality().maxEgressHosts()),
            metrics::cardinalityOverflow);
    prometheus.ifAvailable(registry -> registry.register(istio));
    return istio;
  }

  @Bean(destroyMethod = "close")
  CollectorTracing collectorTracing(
      CollectorProperties properties, ObjectProvider<SpanExporter> exporter) {
    return CollectorTracing.create(properties.tracing(), exporter.getIfAvailable());
  }

  @Bean
  NodeIdentityResolver nodeIdentityResolver(CollectorProperties properties) {
    return new NodeIdentityResolver(plainNodeMapping(properties.mapping().plainNodes()));
  }

  private static PlainNodeMapping plainNodeMapping(CollectorProperties.PlainNodes plain) {
    return new PlainNodeMapping(
        plain.workloadSource(),
        plain.workloadKey(),
        plain.namespaceKey(),
        plain.appKey(),
        plain.versionKey(),
        plain.meshClusterKey(),
        plain.defaultNamespace());
  }

  @Bean
  IngestPipeline ingestPipeline(
      CollectorProperties properties,
      RecordBuffer buffer,
      IstioMetrics istioMetrics,
      CollectorMetrics metrics) {
    return new IngestPipeline(
        buffer,
        istioMetrics,
        metrics,
        properties.kafka().accessRecordsTopic(),
        properties.kafka().proxyStatsTopic());
  }

  @Bean
  AccessLogIngest accessLogIngest(
      CollectorProperties properties,
      NodeIdentityResolver resolver,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      CollectorTracing tracing,
      Clock clock) {
    CollectorProperties.Mapping mapping = properties.mapping();
    MappingOptions options =
        new MappingOptions(
            mapping.keepPath(),
            java.util.Set.copyOf(mapping.keepHeaders()),
            plainNodeMapping(mapping.plainNodes()),
            mapping.defaultReporter() == CollectorProperties.DefaultReporter.DESTINATION
                ? Reporter.REPORTER_DESTINATION
                : Reporter.REPORTER_SOURCE,
            mapping.maxTcpConnections());
    AccessRecordMapper mapper = new AccessRecordMapper(options);
    metrics.tcpConnectionsTracked(mapper::trackedTcpConnections);
    return new AccessLogIngest(resolver, mapper, pipeline, metrics, tracing.tracer(), clock);
  }

  @Bean
  MetricsIngest metricsIngest(
      CollectorProperties properties,
      NodeIdentityResolver resolver,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      CollectorTracing tracing,
      Clock clock) {
    ProxyStatsMapper mapper =
        new ProxyStatsMapper(
            properties.stats().maxTrackedNodes(), properties.stats().countersAsDeltas());
    return new MetricsIngest(resolver, mapper, pipeline, metrics, tracing.tracer(), clock);
  }

  @Bean
  CollectorGrpcServer collectorGrpcServer(
      CollectorProperties properties,
      AccessLogIngest accessLogs,
      MetricsIngest metricsIngest,
      CollectorMetrics metrics,
      MeterRegistry registry) {
    return new CollectorGrpcServer(
        properties.grpc(),
        List.of(accessLogs.service(), metricsIngest.service()),
        new OversizedMessageTracer(metrics),
        registry);
  }
}
