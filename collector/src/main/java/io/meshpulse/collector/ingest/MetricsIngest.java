package io.meshpulse.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.ProxyStatsMapper;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.logging.LogLimiter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * envoy.service.metrics.v3.MetricsService/StreamMetrics: each message is one report of a proxy's
 * stats; the identifier comes on the first message only. Reports become per-node deltas.
 */
public final class MetricsIngest {
  private static final Logger logger = LoggerFactory.getLogger(MetricsIngest.class);
  private final AtomicLong streamIds = new AtomicLong();
  // Bad input from one client can come at the rate it reconnects: logged once per kind per 10 s.
  private final LogLimiter badInputLogs = new LogLimiter(Duration.ofSeconds(10), System::nanoTime);

  private final NodeIdentityResolver resolver;
  private final ProxyStatsMapper mapper;
  private final IngestPipeline pipeline;
  private final CollectorMetrics metrics;
  private final Tracer tracer;
  private final Clock clock;

  public MetricsIngest(
      NodeIdentityResolver resolver,
      ProxyStatsMapper mapper,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      Tracer tracer,
      Clock clock) {
    this.resolver = resolver;
    this.mapper = mapper;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.tracer = tracer;
    this.clock = clock;
  }

  public ServerServiceDefinition service() {
    return IdentifiedStream.service(
        MetricsServiceGrpc.SERVICE_NAME,
        MetricsServiceGrpc.getStreamMetricsMethod(),
        StreamMetricsResponse.getDefaultInstance(),
        Stream::new);
  }

  private final class Stream extends IdentifiedStream<StreamMetricsResponse> {
    Stream(ServerCallStreamObserver<StreamMetricsResponse> call) {
      super(
          call,
          StreamMetricsResponse.getDefaultInstance(),
          CollectorMetrics.METRICS,
          streamIds.incrementAndGet(),
          pipeline,
          metrics,
          logger,
          badInputLogs);
    }

    @Override
    boolean receive(byte[] bytes) {
      StreamMetricsMessage message;
      try {
        message = StreamMetricsMessage.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        unparseable("StreamMetricsMessage");
        return false;
      }
      NodeIdentity identity =
          node(
              message.hasIdentifier() ? resolver.resolve(message.getIdentifier().getNode()) : null);
      if (identity == null) {
        return false;
      }
      metrics.entriesReceived("stats", message.getEnvoyMetricsCount());
      Span span = BatchSpans.start(tracer, "StreamMetrics report", identity, context, bytes);
      try {
        span.setAttribute("meshpulse.entries", (long) message.getEnvoyMetricsCount());
        mapper
            .map(identity, message.getEnvoyMetricsList(), clock.millis())
            .ifPresent(
                stats ->
                    span.setAttribute("meshpulse.admitted", pipeline.publishProxyStats(stats)));
      } catch (RuntimeException e) {
        context.unmappable("stats report", e);
      } finally {
        span.end();
      }
      return true;
    }
  }
}
