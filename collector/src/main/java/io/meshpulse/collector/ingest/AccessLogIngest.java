package io.meshpulse.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshpulse.collector.mapping.AccessLogDecoder;
import io.meshpulse.collector.mapping.AccessLogMessage;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappedAccess;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.logging.LogLimiter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs. The identifier (node) arrives on a
 * stream's first message only; a stream then carries batches of HTTP or TCP entries until the proxy
 * goes away. A message is read only when the buffer has room for more.
 */
public final class AccessLogIngest {
  private static final Logger logger = LoggerFactory.getLogger(AccessLogIngest.class);
  private static final String MESSAGE = "StreamAccessLogsMessage";
  private final AtomicLong streamIds = new AtomicLong();
  // Bad input from one client can come at the rate it reconnects: logged once per kind per 10 s.
  private final LogLimiter badInputLogs = new LogLimiter(Duration.ofSeconds(10), System::nanoTime);

  private final NodeIdentityResolver resolver;
  private final AccessRecordMapper mapper;
  private final IngestPipeline pipeline;
  private final CollectorMetrics metrics;
  private final Tracer tracer;
  private final Clock clock;

  public AccessLogIngest(
      NodeIdentityResolver resolver,
      AccessRecordMapper mapper,
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
        AccessLogServiceGrpc.SERVICE_NAME,
        AccessLogServiceGrpc.getStreamAccessLogsMethod(),
        StreamAccessLogsResponse.getDefaultInstance(),
        Stream::new);
  }

  private final class Stream extends IdentifiedStream<StreamAccessLogsResponse> {
    private final AccessLogDecoder decoder = mapper.newDecoder(clock.millis());

    Stream(ServerCallStreamObserver<StreamAccessLogsResponse> call) {
      super(
          call,
          StreamAccessLogsResponse.getDefaultInstance(),
          CollectorMetrics.ACCESS_LOG,
          streamIds.incrementAndGet(),
          pipeline,
          metrics,
          logger,
          badInputLogs);
      context.onClose(decoder::close);
    }

    @Override
    boolean receive(byte[] bytes) {
      AccessLogMessage message;
      try {
        message = AccessLogMessage.read(bytes);
      } catch (InvalidProtocolBufferException e) {
        unparseable(MESSAGE);
        return false;
      }
      NodeIdentity identifier = null;
      if (message.identifier() != null) {
        identifier = resolver.resolve(message.identifier().getNode());
        logger.debug("stream={} identified node={}", context.id(), identifier.nodeId());
      } else if (!identified() && !parsesFully(message)) {
        unparseable(MESSAGE); // bad bytes are reported as such, before a missing identifier
        return false;
      }
      NodeIdentity identity = node(identifier);
      if (identity == null) {
        return false;
      }
      Span span = BatchSpans.start(tracer, "StreamAccessLogs batch", identity, context, bytes);
      try {
        handle(identity, message, span);
      } catch (InvalidProtocolBufferException e) {
        unparseable(MESSAGE);
        return false;
      } finally {
        span.end();
      }
      return true;
    }

    /**
     * Maps every entry before publishing any: an entry whose bytes are malformed rejects the whole
     * message, as a failed parse of it would. An HTTP entry that is not a request's end maps to no
     * record, so that neither the Istio metrics nor the health job count a request twice; it is
     * counted as skipped, by its type.
     */
    private void handle(NodeIdentity identity, AccessLogMessage message, Span span)
        throws InvalidProtocolBufferException {
      int entries = message.entries();
      List<MappedAccess> records = new ArrayList<>(entries);
      for (int i = 0; i < entries; i++) {
        try {
          MappedAccess record = decoder.map(identity, message, i);
          if (record != null) {
            records.add(record);
          }
        } catch (RuntimeException e) {
          context.unmappable("entry", e);
        }
      }
      metrics.entriesReceived("http", message.tcp() ? 0 : entries);
      metrics.entriesReceived("tcp", message.tcp() ? entries : 0);
      decoder.takeSkippedEntries((skip, count) -> metrics.entriesSkipped(skip.reason(), count));
      if (message.tcp()) {
        metrics.tcpConnectionsForgotten(decoder.takeForgottenTcpConnections());
        metrics.tcpConnectionsJoined(decoder.takeJoinedTcpConnections());
      }
      metrics.peerMetadataUnreadable(decoder.takeUnreadablePeerMetadata());
      boolean admitted = pipeline.publishAccessRecords(records);
      span.setAttribute("meshpulse.entries", (long) entries);
      span.setAttribute("meshpulse.records", (long) records.size());
      span.setAttribute("meshpulse.admitted", admitted);
    }

    private boolean parsesFully(AccessLogMessage message) {
      try {
        message.parseFully();
        return true;
      } catch (InvalidProtocolBufferException e) {
        return false;
      }
    }
  }
}
