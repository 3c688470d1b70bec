package io.meshpulse.streamprocessor.job;

import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.streamprocessor.io.BinaryTypeInfo;
import io.meshpulse.streamprocessor.io.OutRecord;
import io.meshpulse.streamprocessor.score.ClusterHealth;
import io.meshpulse.streamprocessor.score.ClusterScorer;
import io.meshpulse.streamprocessor.score.EndpointStats;
import io.meshpulse.streamprocessor.score.HealthScorer;
import io.meshpulse.streamprocessor.score.ScoringThresholds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The second stage, keyed by cluster: collects the endpoint aggregates of each window and, when the
 * watermark passes the window's end (the moment the window stage has emitted all of them), compares
 * every endpoint with its peers and emits EndpointHealth (main output) and ServiceHealth (side
 * output), already serialized.
 *
 * <p>An endpoint without a scored window for a window's length gets a tombstone (see {@link
 * #forgetQuiet}), and so does a service record (a subset, or the whole cluster) without one.
 *
 * <p>The {@code endpoints_tracked} gauge sums the endpoints of each cluster's latest scored window;
 * a cluster that has produced no window for a window's length is forgotten (a timer one window
 * after each scored window makes sure of that even when no other cluster fires).
 */
final class ClusterScoringFunction extends KeyedProcessFunction<String, EndpointStats, OutRecord> {
  private static final long serialVersionUID = 1L;

  static final OutputTag<OutRecord> SERVICE_HEALTH = new OutputTag<>("service-health") {};

  private final ScoringThresholds thresholds;
  private final Clock clock;
  private final long sizeMillis;

  // Per (window end, subset, address, port) of the keyed cluster: an endpoint's aggregate until its
  // window is scored. One entry per endpoint, so that with RocksDB each arrival writes only its own
  // aggregate; a list per window was read and written whole on each arrival, quadratic in the
  // cluster's endpoints. No record key is built here: the scorer builds each once.
  private transient MapState<Tuple4<Long, String, String, Integer>, EndpointStats> pendingStats;
  // The whole-window lists of earlier releases: taken with their window at its timer, so a job
  // restored from their savepoints scores the windows they had pending.
  private transient MapState<Long, List<EndpointStats>> pendingWindows;
  // Per endpoint record key: the end of its last scored window.
  private transient MapState<String, Long> lastScored;
  private transient Counter endpointsForgotten;
  // Per service record key (cluster, or cluster/subset): the end of its last scored window.
  private transient MapState<String, Long> serviceLastScored;
  private transient Counter servicesForgotten;
  private transient ClusterScorer scorer;
  private transient Map<HealthState, Counter> endpointScores;
  private transient Map<HealthState, Counter> serviceScores;
  private transient Counter lateResults;
  // Written by the task thread, read by the metrics reporter's.
  private transient ConcurrentHashMap<String, Tracked> tracked;
  // Task thread only: the window end through which tracked clusters were last forgotten.
  private transient long forgottenThrough = Long.MIN_VALUE;

  /** A cluster's endpoints in its latest scored window, and that window's end. */
  private record Tracked(int endpoints, long windowEndMillis) {}

  /**
   * @param sizeMillis the window size: a cluster without a scored window for this long is no longer
   *     counted in {@code endpoints_tracked}
   */
  ClusterScoringFunction(ScoringThresholds thresholds, Clock clock, long sizeMillis) {
    this.thresholds = thresholds;
    this.clock = clock;
    this.sizeMillis = sizeMillis;
  }

  @Override
  public void open(OpenContext openContext) {
    pendingStats =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending-endpoint-stats",
                    Types.TUPLE(Types.LONG, Types.STRING, Types.STRING, Types.INT),
                    BinaryTypeInfo.ENDPOINT_STATS));
    pendingWindows =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending-windows",
                    Types.LONG,
                    new ListTypeInfo<>(BinaryTypeInfo.ENDPOINT_STATS)));
    lastScored =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("endpoint-last-scored", Types.STRING, Types.LONG));
    serviceLastScored =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("service-last-scored", Types.STRING, Types.LONG));
    scorer = new ClusterScorer(new HealthScorer(thresholds));
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(JobMetrics.GROUP);
    endpointScores = new EnumMap<>(HealthState.class);
    serviceScores = new EnumMap<>(HealthState.class);
    for (HealthState state : HealthState.values()) {
      if (state == HealthState.UNRECOGNIZED || state == HealthState.HEALTH_STATE_UNSPECIFIED) {
        continue;
      }
      String label = state.name().substring("HEALTH_STATE_".length()).toLowerCase();
      MetricGroup byState = group.addGroup(JobMetrics.STATE_LABEL, label);
      endpointScores.put(state, byState.counter(JobMetrics.ENDPOINT_SCORES));
      serviceScores.put(state, byState.counter(JobMetrics.SERVICE_SCORES));
    }
    lateResults = group.counter(JobMetrics.LATE_RESULTS_DROPPED);
    endpointsForgotten = group.counter(JobMetrics.ENDPOINTS_FORGOTTEN);
    servicesForgotten = group.counter(JobMetrics.SERVICES_FORGOTTEN);
    tracked = new ConcurrentHashMap<>();
    group.gauge(JobMetrics.ENDPOINTS_TRACKED, (Gauge<Integer>) this::endpointsTracked);
  }

  /** The value of the {@code endpoints_tracked} gauge. */
  int endpointsTracked() {
    int sum = 0;
    for (Tracked t : tracked.values()) {
      sum += t.endpoints();
    }
    return sum;
  }

  @Override
  public void processElement(EndpointStats stats, Context ctx, Collector<OutRecord> out)
      throws Exception {
    long end = stats.windowEndMillis();
    if (end - 1 <= ctx.timerService().currentWatermark()) {
      lateResults.inc();
      return;
    }
    // Registering a timer again for the same time is a no-op.
    ctx.timerService().registerEventTimeTimer(end - 1);
    Endpoint endpoint = stats.id().endpoint();
    pendingStats.put(
        Tuple4.of(end, stats.id().subset(), endpoint.getAddress(), endpoint.getPort()), stats);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out)
      throws Exception {
    long end = timestamp + 1;
    long forgetThrough = end - sizeMillis;
    if (forgetThrough > forgottenThrough) {
      // Every cluster's timer for this window end fires at the same watermark: scan once.
      forgottenThrough = forgetThrough;
      tracked.values().removeIf(t -> t.windowEndMillis() <= forgetThrough);
    }
    // The watermark may have passed several windows at once (a source that caught up, or came
    // back from idleness): their timers all fire now, in order, so this one scores them all.
    // Taking one window per timer scanned every pending window each time, quadratic in the jump.
    NavigableMap<Long, List<EndpointStats>> due = takeDue(ctx.timerService().currentWatermark());
    for (Map.Entry<Long, List<EndpointStats>> window : due.entrySet()) {
      score(ctx.getCurrentKey(), window.getValue(), window.getKey(), ctx, out);
    }
    // Once a window's length while the cluster is scored (so the scan costs a fraction of the
    // scoring), and whenever it fires without a window to score (the cluster went quiet, or an
    // earlier timer of this watermark scored its window).
    if (due.isEmpty() || end % sizeMillis == 0) {
      forgetQuiet(forgetThrough, ctx, out);
    }
  }

  /**
   * Removes and returns, by window end, the aggregates of every window whose timer ({@code end -
   * 1}) the {@code watermark} has reached. No more results come for them: {@link #processElement}
   * drops those as late. (Compared as {@code end - 1 <= watermark}: the final watermark, {@link
   * Long#MAX_VALUE}, has no {@code + 1}.)
   */
  private NavigableMap<Long, List<EndpointStats>> takeDue(long watermark) throws Exception {
    NavigableMap<Long, List<EndpointStats>> due = new TreeMap<>();
    Iterator<Map.Entry<Tuple4<Long, String, String, Integer>, EndpointStats>> it =
        pendingStats.iterator();
    while (it.hasNext()) {
      Map.Entry<Tuple4<Long, String, String, Integer>, EndpointStats> e = it.next();
      if (e.getKey().f0 - 1 <= watermark) {
        due.computeIfAbsent(e.getKey().f0, end -> new ArrayList<>()).add(e.getValue());
        it.remove();
      }
    }
    Iterator<Map.Entry<Long, List<EndpointStats>>> restored = pendingWindows.iterator();
    while (restored.hasNext()) {
      Map.Entry<Long, List<EndpointStats>> e = restored.next();
      if (e.getKey() - 1 <= watermark) {
        due.computeIfAbsent(e.getKey(), end -> new ArrayList<>()).addAll(e.getValue());
        restored.remove();
      }
    }
    return due;
  }

  private void score(
      String cluster,
      List<EndpointStats> window,
      long end,
      OnTimerContext ctx,
      Collector<OutRecord> out)
      throws Exception {
    ClusterHealth health = scorer.score(cluster, window, clock.millis());
    tracked.put(cluster, new Tracked(health.endpoints().size(), end));
    ctx.timerService().registerEventTimeTimer(end + sizeMillis - 1);
    List<EndpointHealth> endpoints = health.endpoints();
    for (int i = 0; i < endpoints.size(); i++) {
      EndpointHealth endpoint = endpoints.get(i);
      String key = health.endpointKeys().get(i);
      out.collect(OutRecord.of(utf8(key), endpoint.toByteArray()));
      lastScored.put(key, end);
      count(endpointScores, endpoint.getState());
    }
    for (ServiceHealth service : health.services()) {
      String key = RecordKeys.of(service);
      ctx.output(SERVICE_HEALTH, OutRecord.of(utf8(key), service.toByteArray()));
      serviceLastScored.put(key, end);
      count(serviceScores, service.getState());
    }
  }

  /**
   * Writes a tombstone for each of the cluster's endpoints whose last scored window ended at or
   * before {@code through} (a window's length ago, so up to two before the scan finds it): with no
   * traffic for a whole window it has left, or gets none, and the compacted topic and xds-control's
   * table can forget it. Its last record was stale by then, so nothing that routes changes. The
   * same for the cluster's service records: a subset whose endpoints all went away (a finished
   * canary), or the whole cluster.
   */
  private void forgetQuiet(long through, OnTimerContext ctx, Collector<OutRecord> out)
      throws Exception {
    forget(lastScored, through, out::collect, endpointsForgotten);
    forget(serviceLastScored, through, r -> ctx.output(SERVICE_HEALTH, r), servicesForgotten);
  }

  private static void forget(
      MapState<String, Long> lastScored, long through, Consumer<OutRecord> out, Counter forgotten)
      throws Exception {
    Iterator<Map.Entry<String, Long>> it = lastScored.iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (e.getValue() <= through) {
        out.accept(OutRecord.of(utf8(e.getKey()), null));
        it.remove();
        forgotten.inc();
      }
    }
  }

  private static void count(Map<HealthState, Counter> counters, HealthState state) {
    Counter counter = counters.get(state);
    if (counter != null) {
      counter.inc();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
