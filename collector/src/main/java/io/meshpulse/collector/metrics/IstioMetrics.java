package io.meshpulse.collector.metrics;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Istio's standard metrics, derived from access records, with Istio's names, types, buckets and
 * labels, so that Istio's dashboards and Flagger's queries work against the collector. Exposed as a
 * Prometheus {@link MultiCollector}: counters are named without {@code _total} here and the
 * exposition adds it, giving {@code istio_requests_total}. TCP metrics carry the HTTP labels minus
 * {@code response_code} and {@code grpc_response_status}, as in Istio.
 */
public final class IstioMetrics implements MultiCollector {
  static final List<String> HTTP_LABELS =
      List.of(
          "reporter",
          "source_workload",
          "source_workload_namespace",
          "source_principal",
          "source_app",
          "source_version",
          "source_cluster",
          "destination_workload",
          "destination_workload_namespace",
          "destination_principal",
          "destination_app",
          "destination_version",
          "destination_service",
          "destination_service_name",
          "destination_service_namespace",
          "destination_cluster",
          "request_protocol",
          "response_code",
          "grpc_response_status",
          "response_flags",
          "connection_security_policy");
  static final List<String> TCP_LABELS =
      HTTP_LABELS.stream()
          .filter(l -> !l.equals("response_code") && !l.equals("grpc_response_status"))
          .toList();

  /** Istio's default duration buckets, in milliseconds. */
  static final double[] DURATION_BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };

  /** Istio's default size buckets, in bytes. */
  static final double[] SIZE_BUCKETS = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

  private static final String UNKNOWN = "unknown";

  private final SeriesTable<HttpSeries> http;
  private final SeriesTable<TcpSeries> tcp;

  public IstioMetrics(CardinalityLimits limits, BiConsumer<String, String> overflow) {
    this.http =
        new SeriesTable<>(
            new CardinalityGuard("istio_requests_total", HTTP_LABELS, limits, overflow),
            HttpSeries::new);
    this.tcp =
        new SeriesTable<>(
            new CardinalityGuard("istio_tcp", TCP_LABELS, limits, overflow), TcpSeries::new);
  }

  /** Records one access record. */
  public void record(AccessRecord record) {
    if (record.getProtocol() == Protocol.PROTOCOL_TCP) {
      TcpSeries series = tcp.series(labels(record, false));
      series.sent.add(record.getResponseBytes());
      series.received.add(record.getRequestBytes());
      if (record.getConnectionOpened()) {
        series.opened.increment();
      }
      if (record.getConnectionClosed()) {
        series.closed.increment();
      }
      return;
    }
    HttpSeries series = http.series(labels(record, true));
    series.requests.increment();
    series.duration.observe(record.getDurationMicros() / 1000.0);
    series.requestBytes.observe(record.getRequestBytes());
    series.responseBytes.observe(record.getResponseBytes());
  }

  /** Series of the HTTP metrics (each HTTP metric has this many). */
  public int httpSeries() {
    return http.size();
  }

  @Override
  public MetricSnapshots collect() {
    Map<List<String>, HttpSeries> httpSeries = http.snapshot();
    Map<List<String>, TcpSeries> tcpSeries = tcp.snapshot();
    return MetricSnapshots.of(
        counter("istio_requests", "Requests", HTTP_LABELS, httpSeries, s -> s.requests.sum()),
        histogram(
            "istio_request_duration_milliseconds",
            "Request duration in milliseconds",
            httpSeries,
            s -> s.duration),
        histogram("istio_request_bytes", "Request size in bytes", httpSeries, s -> s.requestBytes),
        histogram(
            "istio_response_bytes", "Response size in bytes", httpSeries, s -> s.responseBytes),
        counter(
            "istio_tcp_sent_bytes",
            "Bytes sent during response in TCP connections",
            TCP_LABELS,
            tcpSeries,
            s -> s.sent.sum()),
        counter(
            "istio_tcp_received_bytes",
            "Bytes received during request in TCP connections",
            TCP_LABELS,
            tcpSeries,
            s -> s.received.sum()),
        counter(
            "istio_tcp_connections_opened",
            "TCP connections opened",
            TCP_LABELS,
            tcpSeries,
            s -> s.opened.sum()),
        counter(
            "istio_tcp_connections_closed",
            "TCP connections closed",
            TCP_LABELS,
            tcpSeries,
            s -> s.closed.sum()));
  }

  private static <S> CounterSnapshot counter(
      String name,
      String help,
      List<String> labelNames,
      Map<List<String>, S> series,
      Function<S, Long> value) {
    List<CounterDataPointSnapshot> points = new ArrayList<>(series.size());
    series.forEach(
        (labels, s) ->
            points.add(
                new CounterDataPointSnapshot(
                    value.apply(s), Labels.of(labelNames, labels), null, 0L)));
    return new CounterSnapshot(new MetricMetadata(name, help), points);
  }

  private static HistogramSnapshot histogram(
      String name,
      String help,
      Map<List<String>, HttpSeries> series,
      Function<HttpSeries, Histogram> histogram) {
    List<HistogramDataPointSnapshot> points = new ArrayList<>(series.size());
    series.forEach(
        (labels, s) -> points.add(histogram.apply(s).snapshot(Labels.of(HTTP_LABELS, labels))));
    return new HistogramSnapshot(new MetricMetadata(name, help), points);
  }

  private static String[] labels(AccessRecord record, boolean withResponse) {
    Peer source = record.getSource();
    Peer destination = record.getDestination();
    List<String> values = new ArrayList<>(HTTP_LABELS.size());
    values.add(record.getReporter() == Reporter.REPORTER_DESTINATION ? "destination" : "source");
    values.add(orUnknown(source.getWorkload()));
    values.add(orUnknown(source.getNamespace()));
    values.add(orUnknown(source.getPrincipal()));
    values.add(orUnknown(source.getApp()));
    values.add(orUnknown(source.getVersion()));
    values.add(orUnknown(source.getMeshCluster()));
    values.add(orUnknown(destination.getWorkload()));
    values.add(orUnknown(destination.getNamespace()));
    values.add(orUnknown(destination.getPrincipal()));
    values.add(orUnknown(destination.getApp()));
    // The subset of the upstream cluster (outbound|port|v2|svc) is the destination's version
    // label when the peer metadata does not carry one.
    values.add(
        orUnknown(
            destination.getVersion().isEmpty() ? record.getSubset() : destination.getVersion()));
    values.add(orUnknown(destination.getService()));
    values.add(orUnknown(destination.getServiceName()));
    values.add(orUnknown(destination.getServiceNamespace()));
    values.add(orUnknown(destination.getMeshCluster()));
    values.add(protocol(record.getProtocol()));
    if (withResponse) {
      values.add(Integer.toString(record.getResponseCode()));
      values.add(record.hasGrpcStatus() ? Integer.toString(record.getGrpcStatus()) : "");
    }
    values.add(record.getResponseFlagsText().isEmpty() ? "-" : record.getResponseFlagsText());
    values.add(orUnknown(record.getConnectionSecurityPolicy()));
    return values.toArray(String[]::new);
  }

  private static String protocol(Protocol protocol) {
    return switch (protocol) {
      case PROTOCOL_GRPC -> "grpc";
      case PROTOCOL_TCP -> "tcp";
      default -> "http";
    };
  }

  private static String orUnknown(String value) {
    return value.isEmpty() ? UNKNOWN : value;
  }

  private static final class HttpSeries {
    final LongAdder requests = new LongAdder();
    final Histogram duration = new Histogram(DURATION_BUCKETS);
    final Histogram requestBytes = new Histogram(SIZE_BUCKETS);
    final Histogram responseBytes = new Histogram(SIZE_BUCKETS);
  }

  private static final class TcpSeries {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();
  }
}
