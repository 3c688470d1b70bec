package io.meshpulse.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshpulse.collector.mapping.AccessLogDecoder;
import io.meshpulse.collector.mapping.AccessLogMessage;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappedAccess;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs. The identifier (node) arrives on a
 * stream's first message only; a stream then carries batches of HTTP or TCP entries until the proxy
 * goes away. A message is read only when the buffer has room for more.
 */
public final class AccessLogIngest {
  private static final Logger logger = LoggerFactory.getLogger(AccessLogIngest.class);
  private final AtomicLong streamIds = new AtomicLong();

  private final NodeIdentityResolver resolver;
  private final AccessRecordMapper mapper;
  private final IngestPipeline pipeline;
  private final CollectorMetrics metrics;
  private final Tracer tracer;

  public AccessLogIngest(
      NodeIdentityResolver resolver,
      AccessRecordMapper mapper,
      IngestPipeline pipeline,
      CollectorMetrics metrics,
      Tracer tracer) {
    this.resolver = resolver;
    this.mapper = mapper;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.tracer = tracer;
  }

  public ServerServiceDefinition service() {
    MethodDescriptor<byte[], StreamAccessLogsResponse> method =
        AccessLogServiceGrpc.getStreamAccessLogsMethod().toBuilder(
                RawMarshaller.INSTANCE,
                ProtoUtils.marshaller(StreamAccessLogsResponse.getDefaultInstance()))
            .build();
    return ServerServiceDefinition.builder(AccessLogServiceGrpc.SERVICE_NAME)
        .addMethod(method, ServerCalls.asyncClientStreamingCall(this::open))
        .build();
  }

  private StreamObserver<byte[]> open(StreamObserver<StreamAccessLogsResponse> responses) {
    Stream stream = new Stream((ServerCallStreamObserver<StreamAccessLogsResponse>) responses);
    stream.context.requestNext();
    return stream;
  }

  private final class Stream implements StreamObserver<byte[]> {
    private final ServerCallStreamObserver<StreamAccessLogsResponse> call;
    private final StreamContext context;
    private final AccessLogDecoder decoder = mapper.newDecoder();
    private @Nullable NodeIdentity node;

    Stream(ServerCallStreamObserver<StreamAccessLogsResponse> call) {
      this.call = call;
      this.context =
          new StreamContext(
              call,
              CollectorMetrics.ACCESS_LOG,
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
      metrics.batchReceived(CollectorMetrics.ACCESS_LOG, bytes.length);
      AccessLogMessage message;
      try {
        message = AccessLogMessage.read(bytes);
      } catch (InvalidProtocolBufferException e) {
        unparseable();
        return;
      }
      if (message.identifier() != null) {
        node = resolver.resolve(message.identifier().getNode());
        logger.debug("stream={} identified node={}", context.id(), node.nodeId());
      }
      NodeIdentity identity = node;
      if (identity == null) {
        if (!parsesFully(message)) {
          unparseable(); // bad bytes are reported as such, before a missing identifier
          return;
        }
        context.reject(
            Status.INVALID_ARGUMENT.withDescription(
                "the first message of a stream must carry an identifier"),
            "missing_identifier");
        return;
      }
      Span span = BatchSpans.start(tracer, "StreamAccessLogs batch", identity, context, bytes);
      try {
        handle(identity, message, span);
      } catch (InvalidProtocolBufferException e) {
        unparseable();
        return;
      } finally {
        span.end();
      }
      context.requestNext();
    }

    /**
     * Maps every entry before publishing any: an entry whose bytes are malformed rejects the whole
     * message, as a failed parse of it would.
     */
    private void handle(NodeIdentity identity, AccessLogMessage message, Span span)
        throws InvalidProtocolBufferException {
      int entries = message.entries();
      List<MappedAccess> records = new ArrayList<>(entries);
      for (int i = 0; i < entries; i++) {
        try {
          records.add(decoder.map(identity, message, i));
        } catch (RuntimeException e) {
          unmappable(e);
        }
      }
      metrics.entriesReceived("http", message.tcp() ? 0 : entries);
      metrics.entriesReceived("tcp", message.tcp() ? entries : 0);
      boolean admitted = pipeline.publishAccessRecords(records);
      span.setAttribute("meshpulse.entries", (long) entries);
      span.setAttribute("meshpulse.records", (long) records.size());
      span.setAttribute("meshpulse.admitted", admitted);
    }

    private void unparseable() {
      context.reject(
          Status.INVALID_ARGUMENT.withDescription("malformed StreamAccessLogsMessage"),
          "unparseable");
    }

    private boolean parsesFully(AccessLogMessage message) {
      try {
        message.parseFully();
        return true;
      } catch (InvalidProtocolBufferException e) {
        return false;
      }
    }

    private void unmappable(RuntimeException e) {
      metrics.malformed(CollectorMetrics.ACCESS_LOG, "unmappable_entry");
      logger.debug("stream={} unmappable entry", context.id(), e);
    }

    @Override
    public void onError(Throwable t) {
      context.onError(t);
    }

    @Override
    public void onCompleted() {
      if (context.markClosed()) {
        call.onNext(StreamAccessLogsResponse.getDefaultInstance());
        call.onCompleted();
      }
    }
  }
}
