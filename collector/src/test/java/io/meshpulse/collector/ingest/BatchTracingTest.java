package io.meshpulse.collector.ingest;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.meshpulse.collector.CollectorProperties;
import io.meshpulse.collector.CollectorTracing;
import io.meshpulse.collector.EnvoyClient;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.collector.metrics.CardinalityLimits;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.collector.metrics.IstioMetrics;
import io.meshpulse.collector.sink.BufferLimits;
import io.meshpulse.collector.sink.RecordBuffer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchTracingTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  @Test
  void enabledTracing_recordsOneSpanPerBatchWithItsNodeAndCounts() throws Exception {
    List<SpanData> spans = run(new CollectorProperties.Tracing(true, 1.0, null, "collector"));

    assertThat(spans).as("spans").hasSize(2);
    SpanData first = spans.get(0);
    assertThat(first.getName()).as("name").isEqualTo("StreamAccessLogs batch");
    assertThat(first.getAttributes().get(AttributeKey.stringKey("envoy.node.id")))
        .as("node")
        .isEqualTo("edge-proxy-1");
    assertThat(first.getAttributes().get(AttributeKey.longKey("meshpulse.records")))
        .as("records")
        .isEqualTo(2L);
    assertThat(first.getAttributes().get(AttributeKey.booleanKey("meshpulse.admitted")))
        .as("admitted")
        .isTrue();
  }

  @Test
  void tracingOffByDefault_recordsNoSpans() throws Exception {
    List<SpanData> spans = run(new CollectorProperties.Tracing(false, 1.0, null, "collector"));

    assertThat(spans).as("spans").isEmpty();
  }

  private List<SpanData> run(CollectorProperties.Tracing config) throws Exception {
    CollectorMetrics metrics = new CollectorMetrics(new SimpleMeterRegistry());
    RecordBuffer buffer = new RecordBuffer(new BufferLimits(100, 1_000_000, 100, 1_000_000));
    // Shutting the tracer down shuts its exporter down, which empties an in-memory exporter.
    SpanExporter keepSpans =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            return exporter.export(spans);
          }

          @Override
          public CompletableResultCode flush() {
            return exporter.flush();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    try (CollectorTracing tracing = CollectorTracing.create(config, keepSpans)) {
      AccessLogIngest ingest =
          new AccessLogIngest(
              new NodeIdentityResolver(PlainNodeMapping.defaults()),
              new AccessRecordMapper(MappingOptions.defaults()),
              new IngestPipeline(
                  buffer,
                  new IstioMetrics(new CardinalityLimits(10, 10), metrics::cardinalityOverflow),
                  metrics,
                  "records",
                  "stats"),
              metrics,
              tracing.tracer(),
              Clock.systemUTC());
      String name = InProcessServerBuilder.generateName();
      Server server =
          InProcessServerBuilder.forName(name)
              .directExecutor()
              .addService(ingest.service())
              .build()
              .start();
      ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
      try {
        EnvoyClient.await(
            EnvoyClient.sendAccessLogs(
                channel,
                List.of(
                    EnvoyClient.first(
                        node("plain-envoy-node"),
                        List.of(http("plain-http-entry"), http("plain-http-entry"))),
                    EnvoyClient.http(List.of(http("plain-http-entry"))))),
            Duration.ofSeconds(5));
      } finally {
        channel.shutdownNow();
        server.shutdownNow();
      }
    }
    return exporter.getFinishedSpanItems();
  }
}
