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
 * Counts messages gRPC refused for exceeding the maximum inbound size: gRPC closes those streams
 * with RESOURCE_EXHAUSTED before the services see the message. Logs the client's address, at most
 * once every 10 s per service.
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
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          metrics.malformed(service, CollectorMetrics.MALFORMED_OVERSIZED);
          long suppressed = logs.admit(service);
          if (suppressed >= 0) {
            logger.warn(
                "stream rejected reason={} service={} status={} peer={} suppressed={}",
                CollectorMetrics.MALFORMED_OVERSIZED,
                service,
                status,
                peer,
                suppressed);
          }
        }
      }
    };
  }
}
