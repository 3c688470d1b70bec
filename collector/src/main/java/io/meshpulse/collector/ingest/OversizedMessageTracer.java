package io.meshpulse.collector.ingest;

import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.meshpulse.collector.metrics.CollectorMetrics;

/**
 * Counts messages gRPC refused for exceeding the maximum inbound size: gRPC closes those streams
 * with RESOURCE_EXHAUSTED before the services see the message.
 */
public final class OversizedMessageTracer extends ServerStreamTracer.Factory {
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
      @Override
      public void streamClosed(Status status) {
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          metrics.malformed(service, CollectorMetrics.MALFORMED_OVERSIZED);
        }
      }
    };
  }
}
