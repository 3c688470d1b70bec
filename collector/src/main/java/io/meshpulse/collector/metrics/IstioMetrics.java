package io.meshpulse.collector.metrics;

import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappedAccess;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Istio's standard metrics, derived from access records, with Istio's names, types, buckets and
 * labels, so that Flagger's checks and the dashboard panels keyed on the destination service work
 * against the collector. Exposed as a Prometheus {@link MultiCollector}: counters are named without
 * {@code _total} here and the exposition adds it, giving {@code istio_requests_total}. TCP metrics
 * carry the HTTP labels minus {@code response_code} and {@code grpc_response_status}, as in Istio.
 * The labels of the peer of the reporting proxy are mostly {@code unknown}: Istio reads them from
 * the peer's metadata, which access logs do not carry (docs/collector.md lists the differences).
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
          "source_canonical_service",
          "source_canonical_revision",
          "source_cluster",
          "destination_workload",
          "destination_workload_namespace",
          "destination_principal",
          "destination_app",
          "destination_version",
          "destination_service",
          "destination_service_name",
          "destination_service_namespace",
          "destination_canonical_service",
          "destination_canonical_revision",
          "destination_cluster",
          "request_protocol",
          "response_code",
          "grpc_response_status",
          "response_flags",
          "connection_security_policy");
  private static final int DESTINATION_SERVICE = HTTP_LABELS.indexOf("destination_service");
  static final List<String> TCP_LABELS =
      HTTP_LABELS.stream()
          .filter(l -> !l.equals("response_code") && !l.equals("grpc_response_status"))
          .toList();

  /**
   * Envoy's default histogram buckets, which Istio's proxy records all its histograms with: the
   * duration ones in milliseconds, the byte-size ones in bytes.
   */
  static final double[] ENVOY_DEFAULT_BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };

  /** The duration buckets, in milliseconds. */
  static final double[] DURATION_BUCKETS = ENVOY_DEFAULT_BUCKETS;

  /** The request and response size buckets, in bytes (not the Mixer-era powers of ten). */
  static final double[] SIZE_BUCKETS = ENVOY_DEFAULT_BUCKETS;

  /** Sizes are observed in half bytes: the first bucket's bound, 0.5, is a whole number of them. */
  private static final int HALF_BYTES = 2;

  private static final String UNKNOWN = "unknown";

  /** The canonical revision Istio gives a peer it does not know. */
  private static final String LATEST = "latest";

  private static final String NAMESPACE_PART = "/ns/";

  /** At most this many label sources are remembered per group; past it, lookups use the guard. */
  private static final int MAX_RESOLVED = 20_000;

  private final SeriesTable<HttpSeries> http;
  private final SeriesTable<TcpSeries> tcp;
  private final ConcurrentHashMap<SeriesKey, HttpSeries> resolvedHttp = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<SeriesKey, TcpSeries> resolvedTcp = new ConcurrentHashMap<>();
  // The external hosts egress requests may name as destination_service; guarded by itself.
  private final Set<String> egressHosts = ConcurrentHashMap.newKeySet();
  private final int maxEgressHosts;
  private final BiConsumer<String, String> overflow;

  public IstioMetrics(CardinalityLimits limits, BiConsumer<String, String> overflow) {
    this.maxEgressHosts = limits.maxEgressHosts();
    this.overflow = overflow;
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
    record(MappedAccess.of(record));
  }

  /**
   * Records one mapped access log entry. An HTTP record is one request, counted once as Istio's
   * stats filter counts it at its stream's end: the mapping gives no record for the entries Envoy
   * writes during a request or for its upstream attempts (AccessLogDecoder.Skip).
   */
  public void record(MappedAccess record) {
    if (record.protocol() == Protocol.PROTOCOL_TCP) {
      TcpSeries series = tcpSeries(record);
      series.sent.add(record.responseBytes());
      series.received.add(record.requestBytes());
      if (record.connectionOpened()) {
        series.opened.increment();
      }
      if (record.connectionClosed()) {
        series.closed.increment();
      }
      return;
    }
    HttpSeries series = httpSeries(record);
    // istio_requests_total is the duration histogram's count: one observation per request.
    series.duration.observe(record.durationMicros());
    series.requestBytes.observe(record.requestBytes() * HALF_BYTES);
    series.responseBytes.observe(record.responseBytes() * HALF_BYTES);
  }

  /**
   * The series of a record: from the resolved-series cache when its label sources were seen before,
   * else through the cardinality guard (which builds the 25 label values).
   */
  private HttpSeries httpSeries(MappedAccess record) {
    SeriesKey key = SeriesKey.of(record, true);
    HttpSeries series = resolvedHttp.get(key);
    if (series != null) {
      return series;
    }
    String[] values = labels(record, true);
    boolean folded = foldEgressHost(record.destination(), values);
    SeriesTable.Lookup<HttpSeries> lookup = http.lookup(values);
    if (!folded) {
      remember(resolvedHttp, key, lookup);
    }
    return lookup.series();
  }

  /**
   * An egress request's {@code destination_service} is its {@code Host}, which the client chooses
   * (Istio's host header fallback): only the first {@code maxEgressHosts} hosts get a value of
   * their own, so that they cannot use up the label's values, which the mesh's own services need. A
   * later host reads as the cluster's name ({@code PassthroughCluster}), the fold counted on every
   * request, as the guard's are.
   *
   * @return whether the host was folded
   */
  private boolean foldEgressHost(Peer destination, String[] values) {
    String host = destination.getService();
    if (host.isEmpty()
        || !AccessRecordMapper.isOutboundPassthrough(destination.getServiceName())
        || egressHosts.contains(host)) {
      return false;
    }
    synchronized (egressHosts) {
      if (egressHosts.contains(host)) {
        return false;
      }
      if (egressHosts.size() < maxEgressHosts) {
        egressHosts.add(host);
        return false;
      }
    }
    overflow.accept("istio_requests_total", "destination_service");
    values[DESTINATION_SERVICE] = destination.getServiceName();
    return true;
  }

  private TcpSeries tcpSeries(MappedAccess record) {
    SeriesKey key = SeriesKey.of(record, false);
    TcpSeries series = resolvedTcp.get(key);
    if (series != null) {
      return series;
    }
    SeriesTable.Lookup<TcpSeries> lookup = tcp.lookup(labels(record, false));
    remember(resolvedTcp, key, lookup);
    return lookup.series();
  }

  /**
   * Only an exact lookup is remembered: a folded one must go through the guard every time, which
   * counts every fold.
   */
  private static <S> void remember(
      ConcurrentHashMap<SeriesKey, S> resolved, SeriesKey key, SeriesTable.Lookup<S> lookup) {
    if (lookup.exact() && resolved.size() < MAX_RESOLVED) {
      resolved.putIfAbsent(key, lookup.series());
    }
  }

  /**
   * Everything the labels of a record are made of. Peers are shared, immutable and hash once, so
   * this key is cheap to build and compare, unlike the 25 label values.
   */
  private static final class SeriesKey {
    private final Reporter reporter;
    private final Peer source;
    private final Peer destination;
    private final String subset;
    private final String securityPolicy;
    private final String canonicalService;
    private final String canonicalRevision;
    private final Protocol protocol;
    private final int responseCode;
    private final int grpcStatus;
    private final boolean hasGrpcStatus;
    private final String responseFlags;
    private final int hash;

    private SeriesKey(MappedAccess record, boolean withResponse) {
      reporter = record.reporter();
      source = record.source();
      destination = record.destination();
      subset = record.subset();
      securityPolicy = record.connectionSecurityPolicy();
      canonicalService = record.canonicalService();
      canonicalRevision = record.canonicalRevision();
      protocol = record.protocol();
      responseCode = withResponse ? record.responseCode() : 0;
      // As the label: a status only of a gRPC request (see grpcResponseStatus).
      hasGrpcStatus = withResponse && grpcResponseStatus(record);
      grpcStatus = hasGrpcStatus ? record.grpcStatus() : 0;
      responseFlags = record.responseFlagsText();
      int h = reporter.ordinal();
      h = 31 * h + source.hashCode(); // messages memoize their hash
      h = 31 * h + destination.hashCode();
      h = 31 * h + subset.hashCode();
      h = 31 * h + securityPolicy.hashCode();
      h = 31 * h + canonicalService.hashCode();
      h = 31 * h + canonicalRevision.hashCode();
      h = 31 * h + protocol.ordinal();
      h = 31 * h + responseCode;
      h = 31 * h + (hasGrpcStatus ? grpcStatus + 1 : 0);
      h = 31 * h + responseFlags.hashCode();
      hash = h;
    }

    static SeriesKey of(MappedAccess record, boolean withResponse) {
      return new SeriesKey(record, withResponse);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SeriesKey k
          && hash == k.hash
          && reporter == k.reporter
          && protocol == k.protocol
          && responseCode == k.responseCode
          && grpcStatus == k.grpcStatus
          && hasGrpcStatus == k.hasGrpcStatus
          && responseFlags.equals(k.responseFlags)
          && subset.equals(k.subset)
          && securityPolicy.equals(k.securityPolicy)
          && canonicalService.equals(k.canonicalService)
          && canonicalRevision.equals(k.canonicalRevision)
          && source.equals(k.source)
          && destination.equals(k.destination);
    }
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
        counter("istio_requests", "Requests", HTTP_LABELS, httpSeries, s -> s.duration.count()),
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

  private static String[] labels(MappedAccess record, boolean withResponse) {
    Peer source = record.source();
    Peer destination = record.destination();
    boolean inbound = record.reporter() == Reporter.REPORTER_DESTINATION;
    boolean waypoint = record.reporter() == Reporter.REPORTER_WAYPOINT;
    // The reporting proxy's canonical service and revision are its node's; the peer's come with
    // its metadata, and Istio writes "unknown" and "latest" for a peer it does not know. A
    // waypoint is neither side: both come from the peers.
    String localService = orUnknown(record.canonicalService());
    String localRevision =
        record.canonicalRevision().isEmpty() ? LATEST : record.canonicalRevision();
    String sourceService =
        inbound || waypoint ? orUnknown(source.getCanonicalService()) : localService;
    String sourceRevision = inbound || waypoint ? revision(source) : localRevision;
    String destinationService =
        inbound ? localService : orUnknown(destination.getCanonicalService());
    // A waypoint writes "unknown" for an upstream peer without a revision, a sidecar "latest".
    String destinationRevision =
        inbound
            ? localRevision
            : waypoint ? orUnknown(destination.getCanonicalRevision()) : revision(destination);
    List<String> values = new ArrayList<>(HTTP_LABELS.size());
    values.add(inbound ? "destination" : waypoint ? "waypoint" : "source");
    values.add(orUnknown(source.getWorkload()));
    // As Istio: without the peer's metadata, the namespace of its SPIFFE id (.../ns/<ns>/sa/...).
    values.add(
        orUnknown(
            source.getNamespace().isEmpty()
                ? principalNamespace(source.getPrincipal())
                : source.getNamespace()));
    values.add(orUnknown(source.getPrincipal()));
    values.add(orUnknown(source.getApp()));
    values.add(orUnknown(source.getVersion()));
    values.add(sourceService);
    values.add(sourceRevision);
    values.add(orUnknown(source.getMeshCluster()));
    values.add(orUnknown(destination.getWorkload()));
    values.add(orUnknown(destination.getNamespace()));
    values.add(orUnknown(destination.getPrincipal()));
    values.add(orUnknown(destination.getApp()));
    // The subset of the upstream cluster (outbound|port|v2|svc) is the destination's version
    // label when the peer metadata does not carry one.
    values.add(
        orUnknown(destination.getVersion().isEmpty() ? record.subset() : destination.getVersion()));
    values.add(orUnknown(destination.getService()));
    values.add(orUnknown(destination.getServiceName()));
    values.add(orUnknown(destination.getServiceNamespace()));
    values.add(destinationService);
    values.add(destinationRevision);
    values.add(orUnknown(destination.getMeshCluster()));
    values.add(protocol(record.protocol()));
    if (withResponse) {
      values.add(Integer.toString(record.responseCode()));
      values.add(grpcResponseStatus(record) ? Integer.toString(record.grpcStatus()) : "");
    }
    values.add(record.responseFlagsText().isEmpty() ? "-" : record.responseFlagsText());
    values.add(orUnknown(record.connectionSecurityPolicy()));
    return values.toArray(String[]::new);
  }

  /**
   * Whether {@code grpc_response_status} carries the record's gRPC status: for gRPC requests only,
   * as Istio's stats filter has it. A request that is not gRPC (grpc-web, say) may have a status in
   * its record, from its response's grpc-status, for the health job; Istio's label is empty for it.
   * The status of a gRPC request that had none is inferred by the mapping (AccessLogDecoder), from
   * the response code as Envoy does, so the record and the label agree.
   */
  private static boolean grpcResponseStatus(MappedAccess record) {
    return record.protocol() == Protocol.PROTOCOL_GRPC && record.hasGrpcStatus();
  }

  private static String revision(Peer peer) {
    return peer.getCanonicalRevision().isEmpty() ? LATEST : peer.getCanonicalRevision();
  }

  private static String protocol(Protocol protocol) {
    return switch (protocol) {
      case PROTOCOL_GRPC -> "grpc";
      case PROTOCOL_TCP -> "tcp";
      default -> "http";
    };
  }

  /**
   * The namespace of a SPIFFE id {@code spiffe://<trust domain>/ns/<namespace>/sa/<account>}, as
   * Istio reads it: what follows {@code /ns/} up to the next {@code /}; empty when there is none.
   */
  static String principalNamespace(String principal) {
    int begin = principal.indexOf(NAMESPACE_PART);
    if (begin < 0) {
      return "";
    }
    begin += NAMESPACE_PART.length();
    int end = principal.indexOf('/', begin);
    return end < 0 ? principal.substring(begin) : principal.substring(begin, end);
  }

  private static String orUnknown(String value) {
    return value.isEmpty() ? UNKNOWN : value;
  }

  private static final class HttpSeries {
    // Observed in microseconds, exposed in milliseconds.
    final Histogram duration = new Histogram(DURATION_BUCKETS, 1000);
    // Observed in half bytes, exposed in bytes.
    final Histogram requestBytes = new Histogram(SIZE_BUCKETS, HALF_BYTES);
    final Histogram responseBytes = new Histogram(SIZE_BUCKETS, HALF_BYTES);
  }

  private static final class TcpSeries {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();
  }
}
