package io.meshpulse.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.ProxyStatsMapper;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * envoy.service.metrics.v3.MetricsService/StreamMetrics: each message is one report of a proxy's
 * stats; the identifier comes on the first message only. Reports become per-node deltas.
 */
public final class MetricsIngest {
  private static final Logger logger = LoggerFactory.getLogger(MetricsIngest.class);
  private final AtomicLong streamIds = new AtomicLong();

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
    MethodDescriptor<byte[], StreamMetricsResponse> method =
        MetricsServiceGrpc.getStreamMetricsMethod().toBuilder(
                RawMarshaller.INSTANCE,
                ProtoUtils.marshaller(StreamMetricsResponse.getDefaultInstance()))
            .build();
    return ServerServiceDefinition.builder(MetricsServiceGrpc.SERVICE_NAME)
        .addMethod(method, ServerCalls.asyncClientStreamingCall(this::open))
        .build();
  }

  private StreamObserver<byte[]> open(StreamObserver<StreamMetricsResponse> responses) {
    Stream stream = new Stream((ServerCallStreamObserver<StreamMetricsResponse>) responses);
    stream.context.requestNext();
    return stream;
  }

  private final class Stream implements StreamObserver<byte[]> {
    private final ServerCallStreamObserver<StreamMetricsResponse> call;
    private final StreamContext context;
    private @Nullable NodeIdentity node;

    Stream(ServerCallStreamObserver<StreamMetricsResponse> call) {
      this.call = call;
      this.context =
          new StreamContext(
              call,
              CollectorMetrics.METRICS,
              streamIds.incrementAndGet(),
              pipeline,
              metrics,
              logger);
    }

    @Override
    public void onNext(byte[] bytes) {
      if (context.closed()) {
        return;
      }
      metrics.batchReceived(CollectorMetrics.METRICS, bytes.length);
      StreamMetricsMessage message;
      try {
        message = StreamMetricsMessage.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        context.reject(
            Status.INVALID_ARGUMENT.withDescription("malformed StreamMetricsMessage"),
            "unparseable");
        return;
      }
      if (message.hasIdentifier()) {
        node = resolver.resolve(message.getIdentifier().getNode());
      }
      NodeIdentity identity = node;
      if (identity == null) {
        context.reject(
            Status.INVALID_ARGUMENT.withDescription(
                "the first message of a stream must carry an identifier"),
            "missing_identifier");
        return;
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
        metrics.malformed(CollectorMetrics.METRICS, "unmappable_entry");
        logger.debug("stream={} unmappable stats report", context.id(), e);
      } finally {
        span.end();
      }
      context.requestNext();
    }

    @Override
    public void onError(Throwable t) {
      context.onError(t);
    }

    @Override
    public void onCompleted() {
      if (context.markClosed()) {
        call.onNext(StreamMetricsResponse.getDefaultInstance());
        call.onCompleted();
      }
    }
  }
}
