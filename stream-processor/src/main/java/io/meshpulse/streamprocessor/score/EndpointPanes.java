package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.Endpoint;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint's recent requests as panes of one slide each (e.g. 1 s): a request updates one pane,
 * and a window (e.g. 10 s) is built when it is due by adding up the panes it covers (counts and
 * latency bins add up exactly). Compared with keeping every overlapping window, a request costs one
 * update instead of size/slide, and the state holds each second once instead of size/slide times.
 *
 * <p>The panes are kept in two parallel arrays sorted by start: an endpoint holds about size/slide
 * of them (plus one or two ahead of the watermark), so a scan is cheaper than a tree.
 */
public final class EndpointPanes {
  /**
   * The most slides a window may span: the proxy record remembers 64 panes back from each proxy's
   * latest report, which leaves room for panes ahead of the window.
   */
  public static final int MAX_SLIDES_PER_WINDOW = 60;

  private final long sizeMillis;
  private final long slideMillis;
  private @Nullable EndpointId id;
  // Pane starts, ascending, and their panes: the first `count` entries are in use.
  private long[] starts;
  private Pane[] panes;
  private int count;
  // Which proxies reported in which panes.
  private ProxyPresence proxies = new ProxyPresence();

  public EndpointPanes(long sizeMillis, long slideMillis) {
    this(sizeMillis, slideMillis, new long[initialCapacity(sizeMillis, slideMillis)], 0);
  }

  private EndpointPanes(long sizeMillis, long slideMillis, long[] starts, int count) {
    if (slideMillis <= 0
        || sizeMillis <= 0
        || sizeMillis % slideMillis != 0
        || sizeMillis / slideMillis > MAX_SLIDES_PER_WINDOW) {
      throw new IllegalArgumentException(
          "the window size must be a positive multiple of the slide, at most "
              + MAX_SLIDES_PER_WINDOW
              + " slides, was "
              + sizeMillis
              + " / "
              + slideMillis);
    }
    this.sizeMillis = sizeMillis;
    this.slideMillis = slideMillis;
    this.starts = starts;
    this.panes = new Pane[starts.length];
    this.count = count;
  }

  private static int initialCapacity(long sizeMillis, long slideMillis) {
    return slideMillis > 0 && sizeMillis > 0
        ? (int) Math.min(64, Math.max(4, sizeMillis / slideMillis + 2))
        : 4;
  }

  /**
   * Whether this state was built for windows of {@code sizeMillis} sliding by {@code slideMillis}
   * (state restored from a job with other window settings was not).
   */
  public boolean hasLayout(long sizeMillis, long slideMillis) {
    return this.sizeMillis == sizeMillis && this.slideMillis == slideMillis;
  }

  public long sizeMillis() {
    return sizeMillis;
  }

  public long slideMillis() {
    return slideMillis;
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
    // Requests mostly arrive in time order: search from the newest pane back.
    int i = count - 1;
    while (i >= 0 && starts[i] > start) {
      i--;
    }
    boolean opened = i < 0 || starts[i] != start;
    if (opened) {
      i = insert(i + 1, start);
    }
    panes[i].add(outcome, latencyMs);
    proxies.add(proxyHash, Math.floorDiv(start, slideMillis));
    return opened;
  }

  private int insert(int at, long start) {
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
      panes = Arrays.copyOf(panes, count * 2);
    }
    System.arraycopy(starts, at, starts, at + 1, count - at);
    System.arraycopy(panes, at, panes, at + 1, count - at);
    starts[at] = start;
    panes[at] = new Pane();
    count++;
    return at;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The end of the first window that holds the earliest pane; only when not empty. */
  public long firstWindowEndMillis() {
    return starts[0] + slideMillis;
  }

  /**
   * The statistics of the window {@code [endMillis - size, endMillis)} with the default recent span
   * (3 s), or null when no request fell into it.
   */
  public @Nullable EndpointStats window(long endMillis) {
    return window(endMillis, ScoringThresholds.DEFAULT_RECENT_SPAN_MILLIS);
  }

  /**
   * The statistics of the window {@code [endMillis - size, endMillis)}, or null when no request
   * fell into it. Its last slide is the pane {@code [endMillis - slide, endMillis)}; its recent
   * span, the last {@code spanMillis} (at least one slide).
   */
  public @Nullable EndpointStats window(long endMillis, long spanMillis) {
    long startMillis = endMillis - sizeMillis;
    int from = 0;
    while (from < count && starts[from] < startMillis) {
      from++;
    }
    int to = from;
    while (to < count && starts[to] < endMillis) {
      to++;
    }
    if (from == to) {
      return null;
    }
    long spanStart = Math.max(startMillis, endMillis - Math.max(spanMillis, slideMillis));
    long requests = 0;
    long http5xx = 0;
    long grpcErrors = 0;
    long connectionFailures = 0;
    long timeouts = 0;
    long spanRequests = 0;
    long spanErrors = 0;
    for (int i = from; i < to; i++) {
      Pane p = panes[i];
      requests += p.requests;
      http5xx += p.http5xx;
      grpcErrors += p.grpcErrors;
      connectionFailures += p.connectionFailures;
      timeouts += p.timeouts;
      if (starts[i] >= spanStart) {
        spanRequests += p.requests;
        spanErrors += p.errors();
      }
    }
    Pane last = starts[to - 1] == endMillis - slideMillis ? panes[to - 1] : null;
    RecentSlide recent =
        last == null
            ? new RecentSlide(0, 0, LatencyHistogram.EMPTY, spanRequests, spanErrors)
            : new RecentSlide(
                last.requests,
                last.errors(),
                last.latencyMillis.toHistogram(),
                spanRequests,
                spanErrors);
    EndpointId endpointId = id != null ? id : new EndpointId("", "", Endpoint.getDefaultInstance());
    return new EndpointStats(
        endpointId,
        startMillis,
        endMillis,
        new ErrorCounts(requests, http5xx, grpcErrors, connectionFailures, timeouts),
        recent,
        proxies.distinct(
            Math.floorDiv(startMillis, slideMillis), Math.floorDiv(endMillis, slideMillis)),
        Pane.latencies(panes, from, to));
  }

  /** Drops the panes that no window ending after {@code endMillis} holds. */
  public void evictThrough(long endMillis) {
    long keepFrom = endMillis - sizeMillis + slideMillis;
    proxies.evictBefore(Math.floorDiv(keepFrom, slideMillis));
    int drop = 0;
    while (drop < count && starts[drop] < keepFrom) {
      drop++;
    }
    if (drop > 0) {
      System.arraycopy(starts, drop, starts, 0, count - drop);
      System.arraycopy(panes, drop, panes, 0, count - drop);
      Arrays.fill(panes, count - drop, count, null);
      count -= drop;
    }
  }

  /** A deep copy, for Flink's copy-on-write state. */
  public EndpointPanes copy() {
    EndpointPanes copy =
        new EndpointPanes(sizeMillis, slideMillis, Arrays.copyOf(starts, starts.length), count);
    for (int i = 0; i < count; i++) {
      copy.panes[i] = panes[i].copy();
    }
    copy.id = id;
    copy.proxies = proxies.copy();
    return copy;
  }

  public void writeTo(DataOutput out) throws IOException {
    VarInts.write(sizeMillis, out);
    VarInts.write(slideMillis, out);
    out.writeBoolean(id != null);
    if (id != null) {
      EndpointStats.writeId(id, out);
    }
    VarInts.write(count, out);
    for (int i = 0; i < count; i++) {
      out.writeLong(starts[i]);
      panes[i].writeTo(out);
    }
    proxies.writeTo(out);
  }

  public static EndpointPanes readFrom(DataInput in) throws IOException {
    long size = VarInts.read(in);
    long slide = VarInts.read(in);
    EndpointId id = in.readBoolean() ? EndpointStats.readId(in) : null;
    long n = VarInts.read(in);
    if (n < 0 || n > 1 << 20) {
      throw new IOException("bad endpoint panes: " + n + " panes");
    }
    int count = (int) n;
    EndpointPanes result =
        new EndpointPanes(
            size, slide, new long[Math.max(count, initialCapacity(size, slide))], count);
    for (int i = 0; i < count; i++) {
      result.starts[i] = in.readLong();
      result.panes[i] = Pane.readFrom(in);
    }
    result.proxies = ProxyPresence.readFrom(in);
    result.id = id;
    return result;
  }
}
