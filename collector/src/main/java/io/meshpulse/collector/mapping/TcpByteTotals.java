package io.meshpulse.collector.mapping;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The byte totals of one stream's TCP connections that have logged before their end, so that each
 * entry counts only the bytes its connection moved since its previous entry. Envoy's TCP entries
 * carry a connection's running totals ({@code received_bytes}, {@code sent_bytes}): a proxy that
 * logs connects ({@code flush_access_log_on_connected}) or logs periodically ({@code
 * access_log_flush_interval}) repeats bytes already logged in every later entry of the connection.
 *
 * <p>A connection is known by its start time and its downstream remote address, which Envoy writes
 * in every entry of it. Envoy logs a connection on the worker thread that owns it, and each worker
 * has its own stream, so all of a connection's entries come on one stream. An entry without either
 * is counted in full. A stream remembers at most {@code maxConnections}, and all the streams of a
 * collector together at most {@code maxTracked} (counted in {@code tracked}); beyond that the one
 * of this stream that logged longest ago is forgotten (and counted: its next entry counts its bytes
 * from zero again). Not thread-safe: one per stream; {@link #close()} when the stream ends.
 */
final class TcpByteTotals {
  private final int maxConnections;
  private final AtomicInteger tracked;
  private final int maxTracked;
  private final LinkedHashMap<Connection, long[]> totals = new LinkedHashMap<>(16, 0.75f, true);
  private int forgotten;
  private boolean closed;

  TcpByteTotals(int maxConnections, AtomicInteger tracked, int maxTracked) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.tracked = tracked;
    this.maxTracked = maxTracked;
  }

  /**
   * Turns an entry's running totals into what moved since the connection's previous entry: writes
   * the received and sent bytes to {@code delta[0]} and {@code delta[1]}. {@code last}: the entry
   * ends the connection, which is forgotten then. A total below the previous one cannot be the same
   * connection (two connections met on the same key): the entry counts in full and starts again.
   */
  void since(
      long startSeconds,
      int startNanos,
      byte[] buf,
      int addressOff,
      int addressLen,
      long received,
      long sent,
      boolean last,
      long[] delta) {
    delta[0] = received;
    delta[1] = sent;
    if ((startSeconds == 0 && startNanos == 0) || addressLen == 0) {
      return;
    }
    Connection key =
        new Connection(
            startSeconds, startNanos, Arrays.copyOfRange(buf, addressOff, addressOff + addressLen));
    long[] previous = last ? totals.remove(key) : totals.get(key);
    if (previous != null && received >= previous[0] && sent >= previous[1]) {
      delta[0] = received - previous[0];
      delta[1] = sent - previous[1];
    }
    if (last) {
      if (previous != null) {
        tracked.decrementAndGet();
      }
      return;
    }
    if (previous != null) {
      previous[0] = received;
      previous[1] = sent;
      return;
    }
    remember(key, received, sent);
  }

  private void remember(Connection key, long received, long sent) {
    if (closed) {
      return;
    }
    if (totals.size() >= maxConnections || tracked.get() >= maxTracked) {
      if (totals.isEmpty()) {
        forgotten++; // no room anywhere: this one is not remembered
        return;
      }
      Iterator<Map.Entry<Connection, long[]>> eldest = totals.entrySet().iterator();
      eldest.next();
      eldest.remove();
      forgotten++;
      totals.put(key, new long[] {received, sent}); // took the eldest's place in the count
      return;
    }
    totals.put(key, new long[] {received, sent});
    tracked.incrementAndGet();
  }

  /** Connections remembered now. */
  int size() {
    return totals.size();
  }

  /** Connections forgotten for room, or not remembered for lack of it, since the previous call. */
  int takeForgotten() {
    int n = forgotten;
    forgotten = 0;
    return n;
  }

  /** Forgets every connection: the stream ended. */
  void close() {
    if (!closed) {
      closed = true;
      tracked.addAndGet(-totals.size());
      totals.clear();
    }
  }

  private static final class Connection {
    private final long startSeconds;
    private final int startNanos;
    private final byte[] address;
    private final int hash;

    Connection(long startSeconds, int startNanos, byte[] address) {
      this.startSeconds = startSeconds;
      this.startNanos = startNanos;
      this.address = address;
      this.hash = 31 * (31 * Long.hashCode(startSeconds) + startNanos) + Arrays.hashCode(address);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Connection c
          && c.startSeconds == startSeconds
          && c.startNanos == startNanos
          && Arrays.equals(c.address, address);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
