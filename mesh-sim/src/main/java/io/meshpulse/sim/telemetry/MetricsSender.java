package io.meshpulse.sim.telemetry;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.metrics.v3.MetricsServiceGrpc;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsResponse;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.prometheus.client.Metrics.Counter;
import io.prometheus.client.Metrics.Gauge;
import io.prometheus.client.Metrics.Metric;
import io.prometheus.client.Metrics.MetricFamily;
import io.prometheus.client.Metrics.MetricType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxy's MetricsService stream, like Envoy's metrics_service sink: every interval, the cluster
 * counters (cumulative) and gauges as Prometheus MetricFamily messages named {@code
 * cluster.<cluster name>.<stat>}; the identifier only on the first message of a stream. A failed
 * stream is reopened at the next interval. Called by the owning proxy's tick only.
 */
public final class MetricsSender {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsSender.class);

  private final Channel channel;
  private final StreamMetricsMessage.Identifier identifier;
  private final Object lock = new Object();
  // guarded by lock
  private @Nullable ClientCallStreamObserver<StreamMetricsMessage> stream;
  private boolean identifierSent;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  public MetricsSender(Channel channel, Node node) {
    this.channel = channel;
    this.identifier = StreamMetricsMessage.Identifier.newBuilder().setNode(node).build();
  }

  public long messages() {
    return messages.get();
  }

  public long failures() {
    return failures.get();
  }

  /** Builds the message for the current counters (without identifier). */
  public static StreamMetricsMessage.Builder message(
      Map<String, ClusterCounters> counters, long nowMs) {
    StreamMetricsMessage.Builder m = StreamMetricsMessage.newBuilder();
    counters.forEach(
        (cluster, c) -> {
          String p = "cluster." + cluster + ".";
          m.addEnvoyMetrics(counter(p + "upstream_rq_total", c.rqTotal, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_rq_completed", c.rqCompleted, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_rq_2xx", c.rq2xx, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_rq_4xx", c.rq4xx, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_rq_5xx", c.rq5xx, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_cx_connect_fail", c.connectFail, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_rq_pending_overflow", c.pendingOverflow, nowMs));
          m.addEnvoyMetrics(counter(p + "upstream_cx_none_healthy", c.noneHealthy, nowMs));
          m.addEnvoyMetrics(counter(p + "lb_healthy_panic", c.healthyPanic, nowMs));
          m.addEnvoyMetrics(gauge(p + "membership_total", c.membershipTotal, nowMs));
          m.addEnvoyMetrics(gauge(p + "membership_healthy", c.membershipHealthy, nowMs));
          m.addEnvoyMetrics(gauge(p + "membership_degraded", c.membershipDegraded, nowMs));
          m.addEnvoyMetrics(gauge(p + "upstream_rq_active", 0, nowMs));
        });
    return m;
  }

  private static MetricFamily counter(String name, long value, long ts) {
    return MetricFamily.newBuilder()
        .setName(name)
        .setType(MetricType.COUNTER)
        .addMetric(
            Metric.newBuilder().setCounter(Counter.newBuilder().setValue(value)).setTimestampMs(ts))
        .build();
  }

  private static MetricFamily gauge(String name, long value, long ts) {
    return MetricFamily.newBuilder()
        .setName(name)
        .setType(MetricType.GAUGE)
        .addMetric(
            Metric.newBuilder().setGauge(Gauge.newBuilder().setValue(value)).setTimestampMs(ts))
        .build();
  }

  public void send(Map<String, ClusterCounters> counters, long nowMs) {
    StreamMetricsMessage.Builder m = message(counters, nowMs);
    synchronized (lock) {
      if (stream == null) {
        open();
      }
      if (stream == null || !stream.isReady()) {
        return; // Envoy's sink does not queue either: the next flush carries the cumulative values
      }
      if (!identifierSent) {
        m.setIdentifier(identifier);
      }
      try {
        stream.onNext(m.build());
        identifierSent = true;
        messages.incrementAndGet();
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        stream = null;
      }
    }
  }

  private void open() {
    identifierSent = false;
    MetricsServiceGrpc.newStub(channel)
        .streamMetrics(
            new ClientResponseObserver<StreamMetricsMessage, StreamMetricsResponse>() {
              private @Nullable ClientCallStreamObserver<StreamMetricsMessage> mine;

              @Override
              public void beforeStart(ClientCallStreamObserver<StreamMetricsMessage> s) {
                mine = s;
                stream = s;
              }

              @Override
              public void onNext(StreamMetricsResponse value) {}

              @Override
              public void onError(Throwable t) {
                closedByServer();
              }

              @Override
              public void onCompleted() {
                closedByServer();
              }

              private void closedByServer() {
                synchronized (lock) {
                  if (stream == mine) {
                    failures.incrementAndGet();
                    stream = null;
                    LOG.debug("metrics={} stream closed", identifier.getNode().getId());
                  }
                }
              }
            });
  }

  public void close() {
    synchronized (lock) {
      if (stream != null) {
        stream.onCompleted();
        stream = null;
      }
    }
  }
}
