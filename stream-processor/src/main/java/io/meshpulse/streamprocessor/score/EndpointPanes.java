package io.meshpulse.streamprocessor.score;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.meshpulse.model.v1.Endpoint;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint's recent requests as panes of one slide each (e.g. 1 s): a request updates one pane,
 * and a window (e.g. 10 s) is built when it is due by merging the panes it covers (counts add up,
 * DDSketches merge exactly). Compared with keeping every overlapping window, a request costs one
 * update instead of size/slide, and the state holds each second once instead of size/slide times.
 */
public final class EndpointPanes {
  private final long sizeMillis;
  private final long slideMillis;
  private @Nullable EndpointId id;
  private final TreeMap<Long, Pane> panes;
  // The pane the last request went to: an endpoint's requests mostly arrive in time order, so the
  // next one usually goes to the same pane. Not state: copies and restored panes start without it.
  private long lastStart;
  private @Nullable Pane last;

  public EndpointPanes(long sizeMillis, long slideMillis) {
    this(sizeMillis, slideMillis, new TreeMap<>());
  }

  private EndpointPanes(long sizeMillis, long slideMillis, TreeMap<Long, Pane> panes) {
    if (slideMillis <= 0 || sizeMillis <= 0 || sizeMillis % slideMillis != 0) {
      throw new IllegalArgumentException(
          "the window size must be a positive multiple of the slide, was "
              + sizeMillis
              + " / "
              + slideMillis);
    }
    this.sizeMillis = sizeMillis;
    this.slideMillis = slideMillis;
    this.panes = panes;
  }

  public @Nullable EndpointId id() {
    return id;
  }

  /** Sets the endpoint's identity the first time; later calls keep the first one. */
  public EndpointPanes identify(EndpointId endpointId) {
    if (id == null) {
      id = endpointId;
    }
    return this;
  }

  /** The start of the pane that holds {@code timestampMillis}. */
  public long paneStart(long timestampMillis) {
    return Math.floorDiv(timestampMillis, slideMillis) * slideMillis;
  }

  /**
   * Adds one request at {@code timestampMillis}; returns whether it opened a new pane.
   *
   * @param proxy the reporting proxy's node id
   */
  public boolean add(long timestampMillis, ErrorClass outcome, double latencyMs, String proxy) {
    return add(timestampMillis, outcome, latencyMs, ProxyHash.of(proxy));
  }

  /**
   * Adds one request at {@code timestampMillis}; returns whether it opened a new pane.
   *
   * @param proxyHash the reporting proxy's {@link ProxyHash}
   */
  public boolean add(long timestampMillis, ErrorClass outcome, double latencyMs, int proxyHash) {
    long start = paneStart(timestampMillis);
    Pane pane = last != null && lastStart == start ? last : panes.get(start);
    boolean opened = pane == null;
    if (opened) {
      pane = new Pane();
      panes.put(start, pane);
    }
    pane.add(outcome, latencyMs, proxyHash);
    last = pane;
    lastStart = start;
    return opened;
  }

  public boolean isEmpty() {
    return panes.isEmpty();
  }

  /** The end of the first window that holds the earliest pane; only when not empty. */
  public long firstWindowEndMillis() {
    return panes.firstKey() + slideMillis;
  }

  /**
   * The statistics of the window {@code [endMillis - size, endMillis)}, or null when no request
   * fell into it. Its last slide is the pane {@code [endMillis - slide, endMillis)}.
   */
  public @Nullable EndpointStats window(long endMillis) {
    long startMillis = endMillis - sizeMillis;
    NavigableMap<Long, Pane> covered = panes.subMap(startMillis, true, endMillis, false);
    if (covered.isEmpty()) {
      return null;
    }
    long requests = 0;
    long http5xx = 0;
    long grpcErrors = 0;
    long connectionFailures = 0;
    long timeouts = 0;
    ProxySet proxies = new ProxySet();
    List<DDSketch> latencies = new ArrayList<>(covered.size());
    for (Pane p : covered.values()) {
      requests += p.requests;
      http5xx += p.http5xx;
      grpcErrors += p.grpcErrors;
      connectionFailures += p.connectionFailures;
      timeouts += p.timeouts;
      proxies.addAll(p.proxies);
      latencies.add(p.latencyMillis);
    }
    Pane last = panes.get(endMillis - slideMillis);
    long spanRequests = 0;
    long spanErrors = 0;
    for (Pane p :
        covered
            .tailMap(Math.max(startMillis, endMillis - RecentSlide.SPAN_SLIDES * slideMillis), true)
            .values()) {
      spanRequests += p.requests;
      spanErrors += p.errors();
    }
    RecentSlide recent =
        last == null
            ? new RecentSlide(0, 0, 0, 0.0, spanRequests, spanErrors)
            : new RecentSlide(
                last.requests,
                last.errors(),
                (long) last.latencyMillis.getCount(),
                LatencySketch.quantile(last.latencyMillis, 0.5),
                spanRequests,
                spanErrors);
    EndpointId endpointId = id != null ? id : new EndpointId("", "", Endpoint.getDefaultInstance());
    return new EndpointStats(
        endpointId,
        startMillis,
        endMillis,
        new ErrorCounts(requests, http5xx, grpcErrors, connectionFailures, timeouts),
        recent,
        proxies.size(),
        LatencyHistogram.ofSketches(latencies));
  }

  /** Drops the panes that no window ending after {@code endMillis} holds. */
  public void evictThrough(long endMillis) {
    panes.headMap(endMillis - sizeMillis + slideMillis, false).clear();
    last = null;
  }

  /** A deep copy, for Flink's copy-on-write state. */
  public EndpointPanes copy() {
    TreeMap<Long, Pane> copies = new TreeMap<>();
    for (Map.Entry<Long, Pane> e : panes.entrySet()) {
      copies.put(e.getKey(), e.getValue().copy());
    }
    EndpointPanes copy = new EndpointPanes(sizeMillis, slideMillis, copies);
    copy.id = id;
    return copy;
  }

  public void writeTo(DataOutput out) throws IOException {
    VarInts.write(sizeMillis, out);
    VarInts.write(slideMillis, out);
    out.writeBoolean(id != null);
    if (id != null) {
      EndpointStats.writeId(id, out);
    }
    VarInts.write(panes.size(), out);
    for (Map.Entry<Long, Pane> e : panes.entrySet()) {
      out.writeLong(e.getKey());
      e.getValue().writeTo(out);
    }
  }

  public static EndpointPanes readFrom(DataInput in) throws IOException {
    long size = VarInts.read(in);
    long slide = VarInts.read(in);
    EndpointId id = in.readBoolean() ? EndpointStats.readId(in) : null;
    long count = VarInts.read(in);
    TreeMap<Long, Pane> panes = new TreeMap<>();
    for (long i = 0; i < count; i++) {
      panes.put(in.readLong(), Pane.readFrom(in));
    }
    EndpointPanes result = new EndpointPanes(size, slide, panes);
    result.id = id;
    return result;
  }
}
