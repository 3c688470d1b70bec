package io.meshpulse.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.meshpulse.collector.metrics.CollectorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Which streams gRPC closed count as a rejected message, and under which reason. */
class OversizedMessageTracerTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OversizedMessageTracer tracer =
      new OversizedMessageTracer(new CollectorMetrics(registry));

  @Test
  void onlyAMessageOverTheLimit_isOversized_andAnUnreadableFrameIsABadFrame() {
    close(
        AccessLogServiceGrpc.getStreamAccessLogsMethod().getFullMethodName(),
        Status.RESOURCE_EXHAUSTED.withDescription(
            "gRPC message exceeds maximum size 65536: 70000"));
    close(
        AccessLogServiceGrpc.getStreamAccessLogsMethod().getFullMethodName(),
        Status.RESOURCE_EXHAUSTED.withDescription(
            "Decompressed gRPC message exceeds maximum size 65536"));
    close(
        AccessLogServiceGrpc.getStreamAccessLogsMethod().getFullMethodName(),
        Status.RESOURCE_EXHAUSTED.withDescription("Too many pings from client"));
    close(
        MetricsServiceGrpc.getStreamMetricsMethod().getFullMethodName(),
        Status.INTERNAL.withDescription("gRPC frame header malformed: reserved bits not zero"));
    close(
        MetricsServiceGrpc.getStreamMetricsMethod().getFullMethodName(),
        Status.CANCELLED.withDescription("client cancelled"));
    close(MetricsServiceGrpc.getStreamMetricsMethod().getFullMethodName(), Status.UNAVAILABLE);
    close(MetricsServiceGrpc.getStreamMetricsMethod().getFullMethodName(), Status.OK);

    assertThat(count(CollectorMetrics.ACCESS_LOG, CollectorMetrics.MALFORMED_OVERSIZED))
        .as("access log, oversized: the two over the limit, not the pings")
        .isEqualTo(2);
    assertThat(count(CollectorMetrics.METRICS, CollectorMetrics.MALFORMED_BAD_FRAME))
        .as("metrics, bad frame")
        .isEqualTo(1);
    assertThat(count(CollectorMetrics.METRICS, CollectorMetrics.MALFORMED_OVERSIZED))
        .as("metrics, oversized")
        .isZero();
    assertThat(count(CollectorMetrics.ACCESS_LOG, CollectorMetrics.MALFORMED_BAD_FRAME))
        .as("access log, bad frame")
        .isZero();
  }

  private void close(String method, Status status) {
    tracer.newServerStreamTracer(method, new Metadata()).streamClosed(status);
  }

  private double count(String service, String reason) {
    return registry
        .get("meshpulse.collector.messages.malformed")
        .tag("service", service)
        .tag("reason", reason)
        .counter()
        .count();
  }
}
