package io.meshpulse.sim;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.meshpulse.sim.model.EndpointBehaviour;
import io.meshpulse.sim.model.FaultTimeline;
import io.meshpulse.sim.model.Outcome;
import io.meshpulse.sim.model.ResponseFlag;
import io.meshpulse.sim.outlier.OutlierDetectionConfig;
import io.meshpulse.sim.outlier.OutlierEvent;
import io.meshpulse.sim.scenario.Protocol;
import io.meshpulse.sim.scenario.ProxySpec;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.telemetry.AccessLogEntries;
import io.meshpulse.sim.telemetry.AlsSender;
import io.meshpulse.sim.telemetry.ClusterCounters;
import io.meshpulse.sim.telemetry.MetricsSender;
import io.meshpulse.sim.telemetry.RequestRecord;
import io.meshpulse.sim.xds.AdsClient;
import io.meshpulse.sim.xds.Assignment;
import io.meshpulse.sim.xds.ClusterRoute;
import io.meshpulse.sim.xds.EndpointDiff;
import io.meshpulse.sim.xds.EndpointView;
import io.meshpulse.sim.xds.RoutingTable;
import io.meshpulse.sim.xds.ServiceRoute;
import io.meshpulse.sim.xds.XdsState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated Envoy sidecar: routes its workload's requests by the xDS configuration it has
 * accepted, samples their outcomes from the endpoints' models and the active faults, logs them over
 * ALS and reports its stats over MetricsService. Driven by {@link #tick()} on a shared scheduler;
 * one tick at a time.
 */
final class SimulatedProxy implements AdsClient.UpdateListener {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedProxy.class);
  private static final String ALPHANUM = "bcdfghjklmnpqrstvwxz2456789";

  /** The status an endpoint change shows for a host ejected by the proxy's outlier detection. */
  static final String OUTLIER_EJECTED = "OUTLIER_EJECTED";

  /** Everything a proxy shares with the rest of the simulation. */
  record Context(
      Map<String, ServiceSpec> services,
      Map<String, EndpointBehaviour> behaviours,
      FaultTimeline timeline,
      Recorder recorder,
      java.time.Clock clock,
      double defaultPanicPercent,
      long metricsIntervalMs,
      @Nullable OutlierDetectionConfig outlierDetection,
      LongSupplier nanoTime) {}

  private final Context ctx;
  private final ProxySpec spec;
  private final String id;
  private final String ip;
  private final Node node;
  private final SplittableRandom random;
  private final AccessLogEntries entries;
  private final List<String> calls;
  private final double rpsPerService;
  private final double[] carry;
  private final Map<String, ClusterCounters> counters = new LinkedHashMap<>();
  private @Nullable AlsSender als;
  // Requests in flight: Envoy logs a request when it completes, so its entry is handed to the
  // access-log stream only once the simulated clock reaches its end (start + latency).
  private final PriorityQueue<InFlight> inFlight =
      new PriorityQueue<>(
          Comparator.comparingLong(InFlight::endMs).thenComparingLong(InFlight::seq));
  private @Nullable MetricsSender metrics;
  private @Nullable AdsClient ads;
  private final @Nullable OutlierRouting outlier;
  private long outlierEvents;
  private volatile Map<String, ServiceRoute> routes;
  private long lastTickNanos = -1;
  private long lastMetricsMs;
  private long requestSeq;

  SimulatedProxy(Context ctx, ProxySpec spec, int index, long seed) {
    this.ctx = ctx;
    this.spec = spec;
    this.random = new SplittableRandom(seed * 1_000_003L + index);
    this.ip = "127.0.0." + (index + 2);
    String suffix = suffix(new SplittableRandom(seed + 31L * index));
    String pod = spec.workload() + "-" + suffix;
    this.id =
        "sidecar~"
            + ip
            + "~"
            + pod
            + "."
            + spec.namespace()
            + "~"
            + spec.namespace()
            + ".svc.cluster.local";
    this.node = node(spec, pod, id);
    this.entries = new AccessLogEntries(ip);
    this.calls = spec.calls();
    this.rpsPerService = spec.rps() / calls.size();
    this.carry = new double[calls.size()];
    this.lastMetricsMs = ctx.clock().millis();
    OutlierDetectionConfig od = ctx.outlierDetection();
    this.outlier =
        od == null
            ? null
            : new OutlierRouting(
                od,
                calls.stream().map(c -> ctx.services().get(c)).toList(),
                ctx.defaultPanicPercent(),
                lastMetricsMs,
                new SplittableRandom(seed * 7_919L + 31L * index + 17));
    this.routes = buildRoutes(XdsState.EMPTY);
  }

  private static String suffix(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      if (i == 5) {
        sb.append('-');
      }
      sb.append(ALPHANUM.charAt(r.nextInt(ALPHANUM.length())));
    }
    return sb.toString();
  }

  private static Node node(ProxySpec spec, String pod, String id) {
    Struct labels =
        Struct.newBuilder()
            .putFields("app", str(spec.app()))
            .putFields("version", str(spec.version()))
            .build();
    Struct metadata =
        Struct.newBuilder()
            .putFields("NAME", str(pod))
            .putFields("NAMESPACE", str(spec.namespace()))
            .putFields("WORKLOAD_NAME", str(spec.workload()))
            .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())
            .putFields("CLUSTER_ID", str("Kubernetes"))
            .putFields("ISTIO_VERSION", str("1.24.0"))
            .build();
    return Node.newBuilder()
        .setId(id)
        .setCluster(spec.workload() + "." + spec.namespace())
        .setMetadata(metadata)
        .setUserAgentName("envoy")
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  String id() {
    return id;
  }

  Node node() {
    return node;
  }

  ProxySpec spec() {
    return spec;
  }

  void attach(@Nullable AlsSender als, @Nullable MetricsSender metrics, @Nullable AdsClient ads) {
    this.als = als;
    this.metrics = metrics;
    this.ads = ads;
  }

  @Nullable AlsSender als() {
    return als;
  }

  @Nullable MetricsSender metrics() {
    return metrics;
  }

  @Nullable AdsClient ads() {
    return ads;
  }

  /** The xDS state the proxy routes by (empty without ADS or before the first response). */
  XdsState xdsState() {
    return ads == null ? XdsState.EMPTY : ads.state();
  }

  Map<String, ServiceRoute> routes() {
    return routes;
  }

  private Map<String, ServiceRoute> buildRoutes(XdsState state) {
    Map<String, ServiceRoute> out = new LinkedHashMap<>();
    for (String s : calls) {
      out.put(
          s,
          outlier != null
              ? outlier.route(s)
              : RoutingTable.build(ctx.services().get(s), state, ctx.defaultPanicPercent()));
    }
    return Map.copyOf(out);
  }

  @Override
  public void onAccepted(XdsState before, XdsState after, String typeUrl, String version) {
    long now = ctx.clock().millis();
    List<EndpointChange> changes = new ArrayList<>();
    for (EndpointDiff d : EndpointDiff.between(before, after)) {
      String service =
          io.meshpulse.sim.xds.ClusterName.parse(d.cluster())
              .map(c -> c.service())
              .orElse(d.cluster());
      changes.add(
          new EndpointChange(
              id,
              now,
              service,
              d.cluster(),
              d.hostPort(),
              d.oldWeight(),
              d.newWeight(),
              d.oldStatus(),
              d.newStatus(),
              version,
              d.reducesTraffic()));
    }
    if (!changes.isEmpty()) {
      ctx.recorder().endpointChanges(changes);
      LOG.debug("proxy={} applied {} endpoint changes version={}", id, changes.size(), version);
    }
    Map<String, ServiceRoute> previous = routes;
    Map<String, ServiceRoute> next = buildRoutes(after);
    for (String s : calls) {
      Map<String, Integer> was = previous.get(s).routeWeights();
      Map<String, Integer> now2 = next.get(s).routeWeights();
      if (!was.isEmpty() && !now2.isEmpty() && !was.equals(now2)) {
        ctx.recorder().routeChange(new RouteChange(id, now, s, was, now2, version));
      }
    }
    routes = next;
  }

  /** Hands the access-log entries of the requests completed by {@code nowMs} to the stream. */
  private void logCompleted(long nowMs) {
    AlsSender a = als;
    while (a != null && !inFlight.isEmpty() && inFlight.peek().endMs() <= nowMs) {
      a.add(inFlight.poll().entry());
    }
  }

  /**
   * Hands every request still in flight to the access-log stream, as if each completed now: the run
   * is over, and its last requests are logged rather than lost.
   */
  void logInFlight() {
    logCompleted(Long.MAX_VALUE);
  }

  private record InFlight(long endMs, long seq, HTTPAccessLogEntry entry) {}

  /** Generates the requests due since the last tick, and flushes telemetry when due. */
  void tick() {
    long nowNanos = ctx.nanoTime().getAsLong();
    if (lastTickNanos < 0) {
      lastTickNanos = nowNanos;
      return;
    }
    double dt = Math.min(1.0, (nowNanos - lastTickNanos) / 1e9);
    lastTickNanos = nowNanos;
    long nowMs = ctx.clock().millis();
    long offsetMs = nowMs - ctx.recorder().startEpochMs();
    if (outlier != null) {
      applyOutlierEvents(outlier.onTick(nowMs), nowMs);
    }
    for (int i = 0; i < calls.size(); i++) {
      double due = carry[i] + rpsPerService * dt;
      int n = (int) due;
      carry[i] = due - n;
      ServiceSpec svc = ctx.services().get(calls.get(i));
      for (int k = 0; k < n; k++) {
        // looked up per request: an outlier ejection takes effect with the next request
        request(svc, routes.get(svc.name()), nowMs, offsetMs);
      }
    }
    AlsSender a = als;
    if (a != null) {
      logCompleted(nowMs);
      a.flushIfDue();
    }
    MetricsSender m = metrics;
    if (m != null && nowMs - lastMetricsMs >= ctx.metricsIntervalMs()) {
      lastMetricsMs = nowMs;
      updateMembership();
      m.send(counters, nowMs);
    }
  }

  private void request(ServiceSpec svc, ServiceRoute route, long nowMs, long offsetMs) {
    ClusterRoute cluster = route.clusters().pick(random);
    boolean grpc = svc.protocol() == Protocol.GRPC;
    String host = null;
    String subset = "";
    Outcome outcome;
    if (cluster.endpoints() == null) {
      outcome =
          new Outcome(
              0.1,
              grpc ? 200 : 503,
              grpc ? 14 : -1,
              ResponseFlag.NO_HEALTHY_UPSTREAM,
              "no_healthy_upstream");
      ctx.recorder().noHealthyUpstream(svc.name());
    } else {
      host = cluster.endpoints().pick(random);
      EndpointBehaviour b = ctx.behaviours().get(host);
      if (b == null) {
        // an endpoint the scenario does not run: nothing listens there
        outcome =
            new Outcome(
                1.0,
                grpc ? 200 : 503,
                grpc ? 14 : -1,
                ResponseFlag.UPSTREAM_CONNECTION_FAILURE,
                "upstream_reset_before_response_started{connection_failure}");
      } else {
        outcome = b.sample(random, ctx.timeline().activeAt(host, offsetMs));
      }
      subset =
          cluster.subset().isEmpty()
              ? svc.subsetOf(host).map(s -> s.name()).orElse("")
              : cluster.subset();
      ctx.recorder()
          .endpoint(host, svc.name(), subset)
          .record(nowMs, outcome.isError(), outcome.latencyMs());
      if (outlier != null) {
        List<OutlierEvent> events = outlier.onResponse(svc.name(), host, outcome, nowMs);
        if (!events.isEmpty()) {
          applyOutlierEvents(events.stream().map(e -> Map.entry(svc.name(), e)).toList(), nowMs);
        }
      }
    }
    counters
        .computeIfAbsent(cluster.cluster(), c -> new ClusterCounters())
        .record(outcome, cluster.panic());
    if (als != null) {
      long seq = ++requestSeq;
      inFlight.add(
          new InFlight(
              nowMs + (long) Math.ceil(outcome.latencyMs()),
              seq,
              entries.build(
                  new RequestRecord(
                      nowMs,
                      svc.name(),
                      svc.port(),
                      grpc,
                      cluster.cluster(),
                      host,
                      subset,
                      outcome,
                      seq))));
    }
  }

  /**
   * Records outlier ejections and returns to service as endpoint changes of this proxy alone (each
   * its own version: no other proxy applies it) and reroutes.
   */
  private void applyOutlierEvents(List<Map.Entry<String, OutlierEvent>> events, long nowMs) {
    if (events.isEmpty()) {
      return;
    }
    List<EndpointChange> changes = new ArrayList<>();
    for (Map.Entry<String, OutlierEvent> e : events) {
      ServiceSpec svc = ctx.services().get(e.getKey());
      OutlierEvent ev = e.getValue();
      String version =
          "outlier/"
              + ip
              + "/"
              + (++outlierEvents)
              + (ev.cause() == null ? "" : "/" + ev.cause().name().toLowerCase(Locale.ROOT));
      changes.add(
          new EndpointChange(
              id,
              nowMs,
              svc.name(),
              OutlierRouting.clusterName(svc),
              ev.host(),
              1,
              1,
              ev.ejected() ? "HEALTHY" : OUTLIER_EJECTED,
              ev.ejected() ? OUTLIER_EJECTED : "HEALTHY",
              version,
              ev.ejected()));
      LOG.debug("proxy={} outlier event={}", id, ev);
    }
    ctx.recorder().endpointChanges(changes);
    routes = buildRoutes(XdsState.EMPTY);
  }

  private void updateMembership() {
    XdsState state = xdsState();
    for (Map.Entry<String, ClusterCounters> e : counters.entrySet()) {
      state
          .assignmentFor(e.getKey())
          .ifPresentOrElse(
              (Assignment a) ->
                  e.getValue()
                      .membership(
                          a.endpoints().size(),
                          a.endpoints().stream().filter(EndpointView::healthy).count(),
                          a.endpoints().stream().filter(EndpointView::degraded).count()),
              () -> {
                ServiceRoute r =
                    routes.values().stream()
                        .filter(
                            sr ->
                                sr.clusters().items().stream()
                                    .anyMatch(c -> Objects.equals(c.cluster(), e.getKey())))
                        .findFirst()
                        .orElse(null);
                if (r != null) {
                  r.clusters().items().stream()
                      .filter(c -> c.cluster().equals(e.getKey()) && c.endpoints() != null)
                      .findFirst()
                      .ifPresent(
                          c -> {
                            int n = c.endpoints().items().size();
                            e.getValue().membership(n, n, 0);
                          });
                }
              });
    }
  }
}
