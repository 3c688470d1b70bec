package io.meshpulse.collector.ingest;

import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.meshpulse.logging.LogLimiter;
import java.net.SocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts messages gRPC refused before the services saw them, from the status it closed their stream
 * with: RESOURCE_EXHAUSTED saying the message exceeds the maximum size ({@code oversized}), and
 * INTERNAL, gRPC's status for a frame it cannot read, such as one with reserved bits set or flagged
 * compressed with no compression agreed ({@code bad_frame}). Other closes are not a message's fault
 * (a connection ended, a proxy that went away) and are not counted; a RESOURCE_EXHAUSTED of another
 * cause is logged. Logs the client's address, at most once every 10 s per service and kind.
 */
public final class OversizedMessageTracer extends ServerStreamTracer.Factory {
  private static final Logger logger = LoggerFactory.getLogger(OversizedMessageTracer.class);
  private final LogLimiter logs = new LogLimiter(Duration.ofSeconds(10), System::nanoTime);
  private final CollectorMetrics metrics;

  public OversizedMessageTracer(CollectorMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    String service =
        fullMethodName.startsWith(MetricsServiceGrpc.SERVICE_NAME)
            ? CollectorMetrics.METRICS
            : CollectorMetrics.ACCESS_LOG;
    return new ServerStreamTracer() {
      private volatile @Nullable SocketAddress peer;

      @Override
      public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
        peer = callInfo.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      }

      @Override
      public void streamClosed(Status status) {
        String reason = reason(status);
        if (reason != null) {
          metrics.malformed(service, reason);
        }
        if (reason != null || status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          String kind = reason != null ? reason : "resource_exhausted";
          long suppressed = logs.admit(service + '/' + kind);
          if (suppressed >= 0) {
            logger.warn(
                "stream rejected reason={} service={} status={} peer={} suppressed={}",
                kind,
                service,
                status,
                peer,
                suppressed);
          }
        }
      }
    };
  }

  /** The malformed-message reason of a stream closed with {@code status}, or null for none. */
  static @Nullable String reason(Status status) {
    String description = status.getDescription();
    return switch (status.getCode()) {
      case RESOURCE_EXHAUSTED ->
          description != null && description.contains("exceeds maximum size")
              ? CollectorMetrics.MALFORMED_OVERSIZED
              : null;
      case INTERNAL -> CollectorMetrics.MALFORMED_BAD_FRAME;
      default -> null;
    };
  }
}
