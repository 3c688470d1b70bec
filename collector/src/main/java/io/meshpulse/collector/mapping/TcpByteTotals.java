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
 *
 * <p>A stream does not know what the proxy's earlier streams carried: when a stream is cut (a
 * collector restart, a connection moved by {@code max-connection-age}, a network fault), the
 * proxy's next stream, on any collector, carries the next entries of its open connections. A
 * periodic entry of a connection the stream has not seen, and that started before the stream opened
 * ({@code joinedBeforeUnixMillis}), therefore only sets the connection's baseline: its earlier
 * bytes were counted by an earlier stream, or went before anyone listened. Counting them again
 * would add every open connection's whole history to the counters at each move. The price is the
 * bytes of one interval per such connection, and the count of such joins. A connect entry is a
 * connection's first, and an end entry of an unseen connection counts in full: a proxy that logs
 * only ends logs each connection once.
 */
final class TcpByteTotals {
  /** What an entry is in its connection's life. */
  enum Entry {
    /** The connection's first entry (Envoy's {@code TcpUpstreamConnected}). */
    CONNECT,
    /** A periodic entry, with the totals so far. */
    PERIODIC,
    /** The connection's last entry. */
    END
  }

  private final int maxConnections;
  private final long joinedBeforeUnixMillis;
  private final AtomicInteger tracked;
  private final int maxTracked;
  private final LinkedHashMap<Connection, long[]> totals = new LinkedHashMap<>(16, 0.75f, true);
  private int forgotten;
  private int joined;
  private boolean closed;

  /**
   * {@code joinedBeforeUnixMillis}: when the stream opened ({@link Long#MIN_VALUE}: count every
   * unseen connection in full).
   */
  TcpByteTotals(
      int maxConnections, AtomicInteger tracked, int maxTracked, long joinedBeforeUnixMillis) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.tracked = tracked;
    this.maxTracked = maxTracked;
    this.joinedBeforeUnixMillis = joinedBeforeUnixMillis;
  }

  /**
   * Turns an entry's running totals into what moved since the connection's previous entry: writes
   * the received and sent bytes to {@code delta[0]} and {@code delta[1]}. An {@link Entry#END}
   * forgets the connection. A total below the previous one cannot be the same connection (two
   * connections met on the same key): the entry counts in full and starts again.
   *
   * @return {@link #UNTRACKED} for an entry without start time or downstream address, else whether
   *     this stream has seen the connection's {@link Entry#CONNECT} (which counted its open), this
   *     entry included: {@link #CONNECT_SEEN} or {@link #NO_CONNECT_SEEN}
   */
  int since(
      long startSeconds,
      int startNanos,
      byte[] buf,
      int addressOff,
      int addressLen,
      long received,
      long sent,
      Entry entry,
      long[] delta) {
    delta[0] = received;
    delta[1] = sent;
    if ((startSeconds == 0 && startNanos == 0) || addressLen == 0) {
      return UNTRACKED;
    }
    Connection key =
        new Connection(
            startSeconds, startNanos, Arrays.copyOfRange(buf, addressOff, addressOff + addressLen));
    boolean last = entry == Entry.END;
    long[] previous = last ? totals.remove(key) : totals.get(key);
    if (previous != null && received >= previous[0] && sent >= previous[1]) {
      delta[0] = received - previous[0];
      delta[1] = sent - previous[1];
    } else if (previous == null
        && entry == Entry.PERIODIC
        && startedBefore(startSeconds, startNanos, joinedBeforeUnixMillis)) {
      delta[0] = 0;
      delta[1] = 0;
      joined++;
    }
    boolean connectSeen = entry == Entry.CONNECT || (previous != null && previous[2] == 1);
    if (last) {
      if (previous != null) {
        tracked.decrementAndGet();
      }
      return connectSeen ? CONNECT_SEEN : NO_CONNECT_SEEN;
    }
    if (previous != null) {
      previous[0] = received;
      previous[1] = sent;
      previous[2] = connectSeen ? 1 : 0;
    } else {
      remember(key, received, sent, connectSeen);
    }
    return connectSeen ? CONNECT_SEEN : NO_CONNECT_SEEN;
  }

  /** {@link #since}: the entry names no connection (no start time or downstream address). */
  static final int UNTRACKED = 0;

  /** {@link #since}: a connection whose connect entry this stream has not seen. */
  static final int NO_CONNECT_SEEN = 1;

  /** {@link #since}: a connection whose connect entry this stream has seen. */
  static final int CONNECT_SEEN = 2;

  /**
   * Whether a connection that started at this time started after the stream opened (false when the
   * stream's opening is not known).
   */
  boolean startedAfterStream(long startSeconds, int startNanos) {
    return joinedBeforeUnixMillis != Long.MIN_VALUE
        && !startedBefore(startSeconds, startNanos, joinedBeforeUnixMillis);
  }

  private static boolean startedBefore(long startSeconds, int startNanos, long unixMillis) {
    if (unixMillis == Long.MIN_VALUE) {
      return false;
    }
    long seconds = Math.floorDiv(unixMillis, 1000L);
    return startSeconds < seconds
        || (startSeconds == seconds && startNanos < Math.floorMod(unixMillis, 1000L) * 1_000_000L);
  }

  private void remember(Connection key, long received, long sent, boolean connectSeen) {
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
      // took the eldest's place in the count
      totals.put(key, new long[] {received, sent, connectSeen ? 1 : 0});
      return;
    }
    totals.put(key, new long[] {received, sent, connectSeen ? 1 : 0});
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

  /**
   * Connections first seen in a periodic entry, older than the stream, since the previous call:
   * their bytes before that entry were not counted by this stream.
   */
  int takeJoined() {
    int n = joined;
    joined = 0;
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
