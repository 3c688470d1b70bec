package io.meshpulse.streamprocessor.job;

import io.meshpulse.streamprocessor.io.BinaryTypeInfo;
import io.meshpulse.streamprocessor.io.Sample;
import io.meshpulse.streamprocessor.score.EndpointPanes;
import io.meshpulse.streamprocessor.score.EndpointStats;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sliding event-time windows per endpoint, built from panes of one slide: each request updates one
 * pane, and when the watermark passes a window's end the window's panes are merged into its {@link
 * EndpointStats} (timestamped end − 1, as Flink's window operator does). Same results as a sliding
 * window with an incremental aggregate: a window is emitted when it holds at least one request; a
 * request whose windows have all been emitted goes to the {@code late} output; a request that
 * misses only its earliest windows still counts in the later ones.
 *
 * <p>Timers: one at the end of the first open window of a new pane, and from each firing one at the
 * next window end while panes remain, so an endpoint holds one or two timers, not one a window.
 *
 * <p>State restored from a job with another window size or slide is dropped (counted, logged once
 * per subtask) when its endpoint is next seen: its panes and proxy masks are laid out for the old
 * slide, and the endpoint's windows refill within one window of the new size.
 */
final class EndpointPanesFunction extends KeyedProcessFunction<Long, Sample, EndpointStats> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EndpointPanesFunction.class);

  private final long sizeMillis;
  private final long slideMillis;
  private final long spanMillis;
  private final OutputTag<Sample> late;

  private transient ValueState<EndpointPanes> panes;
  private transient Counter statesReset;
  private transient boolean resetLogged;

  EndpointPanesFunction(
      long sizeMillis, long slideMillis, long spanMillis, OutputTag<Sample> late) {
    this.sizeMillis = sizeMillis;
    this.slideMillis = slideMillis;
    this.spanMillis = spanMillis;
    this.late = late;
  }

  @Override
  public void open(OpenContext openContext) {
    panes =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("endpoint-panes", BinaryTypeInfo.ENDPOINT_PANES));
    statesReset =
        getRuntimeContext()
            .getMetricGroup()
            .addGroup(JobMetrics.GROUP)
            .counter(JobMetrics.WINDOW_STATES_RESET);
  }

  /** The endpoint's panes, or null when it has none or had them for other window settings. */
  private @Nullable EndpointPanes currentPanes() throws Exception {
    EndpointPanes current = panes.value();
    if (current == null || current.hasLayout(sizeMillis, slideMillis)) {
      return current;
    }
    statesReset.inc();
    if (!resetLogged) {
      resetLogged = true;
      LOG.info(
          "window settings changed: dropping endpoint window state saved with size_ms={}"
              + " slide_ms={} (configured size_ms={} slide_ms={}); each endpoint refills within"
              + " one window, counted in {}",
          current.sizeMillis(),
          current.slideMillis(),
          sizeMillis,
          slideMillis,
          JobMetrics.WINDOW_STATES_RESET);
    }
    panes.clear();
    return null;
  }

  @Override
  public void processElement(Sample sample, Context ctx, Collector<EndpointStats> out)
      throws Exception {
    Long stamped = ctx.timestamp();
    long timestamp = stamped != null ? stamped : sample.timestampMillis;
    long watermark = ctx.timerService().currentWatermark();
    long paneEnd = Math.floorDiv(timestamp, slideMillis) * slideMillis + slideMillis;
    long lastWindowEnd = paneEnd + sizeMillis - slideMillis;
    if (lastWindowEnd - 1 <= watermark) {
      ctx.output(late, sample);
      return;
    }
    EndpointPanes current = currentPanes();
    if (current == null) {
      current = new EndpointPanes(sizeMillis, slideMillis).identify(sample.endpointId());
    }
    boolean opened = current.add(timestamp, sample.outcome, sample.latencyMillis, sample.proxyHash);
    panes.update(current);
    if (opened) {
      ctx.timerService().registerEventTimeTimer(firstOpenWindowEnd(paneEnd, watermark) - 1);
    }
  }

  /** The first window end ≥ {@code paneEnd} whose window the watermark has not yet closed. */
  private long firstOpenWindowEnd(long paneEnd, long watermark) {
    if (paneEnd - 1 > watermark) {
      return paneEnd;
    }
    return (Math.floorDiv(watermark + 1, slideMillis) + 1) * slideMillis;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EndpointStats> out)
      throws Exception {
    EndpointPanes current = currentPanes();
    long end = timestamp + 1;
    if (current == null || Math.floorMod(end, slideMillis) != 0) {
      // No panes, or a timer restored from a job with another slide, off this slide's grid: the
      // panes set their own timers when they were opened.
      return;
    }
    EndpointStats stats = current.window(end, spanMillis);
    if (stats != null) {
      out.collect(stats);
    }
    current.evictThrough(end);
    if (current.isEmpty()) {
      panes.clear();
      return;
    }
    panes.update(current);
    ctx.timerService()
        .registerEventTimeTimer(Math.max(end + slideMillis, current.firstWindowEndMillis()) - 1);
  }
}
