package io.meshpulse.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.model.v1.AccessRecord;
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
      StreamAccessLogsMessage message;
      try {
        message = StreamAccessLogsMessage.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        context.reject(
            Status.INVALID_ARGUMENT.withDescription("malformed StreamAccessLogsMessage"),
            "unparseable");
        return;
      }
      if (message.hasIdentifier()) {
        node = resolver.resolve(message.getIdentifier().getNode());
        logger.debug("stream={} identified node={}", context.id(), node.nodeId());
      }
      NodeIdentity identity = node;
      if (identity == null) {
        context.reject(
            Status.INVALID_ARGUMENT.withDescription(
                "the first message of a stream must carry an identifier"),
            "missing_identifier");
        return;
      }
      Span span = BatchSpans.start(tracer, "StreamAccessLogs batch", identity, context, bytes);
      try {
        handle(identity, message, span);
      } finally {
        span.end();
      }
      context.requestNext();
    }

    private void handle(NodeIdentity identity, StreamAccessLogsMessage message, Span span) {
      List<AccessRecord> records = new ArrayList<>();
      for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
        try {
          records.add(mapper.mapHttp(identity, entry));
        } catch (RuntimeException e) {
          unmappable(e);
        }
      }
      for (TCPAccessLogEntry entry : message.getTcpLogs().getLogEntryList()) {
        try {
          records.add(mapper.mapTcp(identity, entry));
        } catch (RuntimeException e) {
          unmappable(e);
        }
      }
      metrics.entriesReceived("http", message.getHttpLogs().getLogEntryCount());
      metrics.entriesReceived("tcp", message.getTcpLogs().getLogEntryCount());
      boolean admitted = pipeline.publishAccessRecords(records);
      span.setAttribute(
          "meshpulse.entries",
          (long) message.getHttpLogs().getLogEntryCount()
              + message.getTcpLogs().getLogEntryCount());
      span.setAttribute("meshpulse.records", (long) records.size());
      span.setAttribute("meshpulse.admitted", admitted);
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
