package io.meshpulse.collector;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's tracer: a no-op unless {@code meshpulse.collector.tracing.enabled}. It owns its
 * own SDK instance (never the global one), so several apps can share a JVM.
 */
public final class CollectorTracing implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(CollectorTracing.class);
  private static final String SCOPE = "io.meshpulse.collector";

  private final @Nullable SdkTracerProvider provider;
  private final Tracer tracer;

  private CollectorTracing(@Nullable SdkTracerProvider provider, Tracer tracer) {
    this.provider = provider;
    this.tracer = tracer;
  }

  /**
   * A tracer for {@code config}; spans go to {@code exporter} when given, else to the configured
   * OTLP endpoint.
   */
  public static CollectorTracing create(
      CollectorProperties.Tracing config, @Nullable SpanExporter exporter) {
    if (!config.enabled()) {
      return new CollectorTracing(null, OpenTelemetry.noop().getTracer(SCOPE));
    }
    SpanExporter target = exporter;
    if (target == null && config.otlpEndpoint() != null) {
      target = OtlpGrpcSpanExporter.builder().setEndpoint(config.otlpEndpoint().toString()).build();
    }
    var builder =
        SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(
                                AttributeKey.stringKey("service.name"), config.serviceName()))));
    if (target != null) {
      builder.addSpanProcessor(BatchSpanProcessor.builder(target).build());
    } else {
      logger.warn(
          "tracing is enabled without meshpulse.collector.tracing.otlp-endpoint: spans are not exported");
    }
    SdkTracerProvider provider = builder.build();
    return new CollectorTracing(provider, provider.get(SCOPE));
  }

  public Tracer tracer() {
    return tracer;
  }

  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
