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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the collector: gRPC edge → mapping → buffer → Kafka, plus the metrics. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CollectorProperties.class)
class CollectorConfiguration {

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
      CollectorProperties properties, RecordBuffer buffer, CollectorMetrics metrics) {
    CollectorProperties.Kafka kafka = properties.kafka();
    return new KafkaSink(
        buffer, new KafkaProducer<>(producerConfig(kafka)), metrics, kafka.shutdownTimeout());
  }

  static Map<String, Object> producerConfig(CollectorProperties.Kafka kafka) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "meshpulse-collector");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, kafka.compressionType());
    config.put(ProducerConfig.LINGER_MS_CONFIG, (int) kafka.linger().toMillis());
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) kafka.batchSize().toBytes());
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, kafka.producerBufferMemory().toBytes());
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) kafka.requestTimeout().toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) kafka.deliveryTimeout().toMillis());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, kafka.maxBlock().toMillis());
    config.putAll(kafka.properties());
    return config;
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
                properties.cardinality().maxSeriesPerMetric()),
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
