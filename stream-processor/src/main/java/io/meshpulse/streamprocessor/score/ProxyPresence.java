package io.meshpulse.streamprocessor.score;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Which proxies reported an endpoint in which of its recent panes, for the window's count of
 * reporting proxies: per proxy (its {@link ProxyHash}, sorted, at most {@link #MAX_PROXIES}) the
 * latest pane it reported in and a 64-bit mask of the panes up to it (bit i: it reported in pane
 * {@code latest − i}). A request sets one bit; a window counts the proxies with a bit among its
 * panes, one mask test each, instead of uniting ten per-pane sets.
 *
 * <p>Exact while a window's panes lie within the 64 panes up to a proxy's latest report (a 10 s
 * window of 500 ms slides uses 20 of them); a report older than that is not remembered, which can
 * only lower the count (a number shown with the score, not part of it).
 */
final class ProxyPresence {
  /**
   * At most this many proxies are tracked per endpoint; when full, a new proxy takes the place of
   * the one whose latest report is oldest.
   */
  static final int MAX_PROXIES = 256;

  private int[] hashes;
  private long[] latest;
  private long[] masks;
  private int size;

  ProxyPresence() {
    this(new int[4], new long[4], new long[4], 0);
  }

  private ProxyPresence(int[] hashes, long[] latest, long[] masks, int size) {
    this.hashes = hashes;
    this.latest = latest;
    this.masks = masks;
    this.size = size;
  }

  int size() {
    return size;
  }

  /** Notes that proxy {@code hash} reported in pane {@code pane} (the pane's start ÷ slide). */
  void add(int hash, long pane) {
    int at = Arrays.binarySearch(hashes, 0, size, hash);
    if (at >= 0) {
      long ahead = pane - latest[at];
      if (ahead > 0) {
        masks[at] = ahead >= Long.SIZE ? 1L : masks[at] << ahead | 1L;
        latest[at] = pane;
      } else if (-ahead < Long.SIZE) {
        masks[at] |= 1L << -ahead;
      }
      return;
    }
    int insert = -at - 1;
    if (size >= MAX_PROXIES) {
      // Full: the new report replaces the proxy whose latest report is oldest, if older than it.
      int oldest = 0;
      for (int i = 1; i < size; i++) {
        if (latest[i] < latest[oldest]) {
          oldest = i;
        }
      }
      if (latest[oldest] >= pane) {
        return;
      }
      remove(oldest);
      if (oldest < insert) {
        insert--;
      }
    }
    if (size == hashes.length) {
      int capacity = Math.min(MAX_PROXIES, size * 2);
      hashes = Arrays.copyOf(hashes, capacity);
      latest = Arrays.copyOf(latest, capacity);
      masks = Arrays.copyOf(masks, capacity);
    }
    System.arraycopy(hashes, insert, hashes, insert + 1, size - insert);
    System.arraycopy(latest, insert, latest, insert + 1, size - insert);
    System.arraycopy(masks, insert, masks, insert + 1, size - insert);
    hashes[insert] = hash;
    latest[insert] = pane;
    masks[insert] = 1L;
    size++;
  }

  private void remove(int at) {
    System.arraycopy(hashes, at + 1, hashes, at, size - at - 1);
    System.arraycopy(latest, at + 1, latest, at, size - at - 1);
    System.arraycopy(masks, at + 1, masks, at, size - at - 1);
    size--;
  }

  /** How many proxies reported in at least one of the panes {@code [from, to)}. */
  int distinct(long from, long to) {
    int count = 0;
    for (int i = 0; i < size; i++) {
      // Bit b is pane latest − b: the panes [from, to) are bits (latest − to, latest − from].
      long high = Math.min(Long.SIZE - 1, latest[i] - from);
      long low = Math.max(0, latest[i] - to + 1);
      if (low <= high && (masks[i] & bits((int) low, (int) high)) != 0) {
        count++;
      }
    }
    return count;
  }

  private static long bits(int low, int high) {
    return (-1L >>> (Long.SIZE - 1 - high)) & (-1L << low);
  }

  /**
   * Forgets the panes before {@code pane}: the proxies whose latest report is older, and the bits
   * of older panes in the others' masks (so masks stay small numbers in checkpoints).
   */
  void evictBefore(long pane) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (latest[i] >= pane) {
        hashes[kept] = hashes[i];
        latest[kept] = latest[i];
        masks[kept] = masks[i] & bits(0, (int) Math.min(Long.SIZE - 1, latest[i] - pane));
        kept++;
      }
    }
    size = kept;
  }

  ProxyPresence copy() {
    int capacity = Math.max(4, size);
    return new ProxyPresence(
        Arrays.copyOf(hashes, capacity),
        Arrays.copyOf(latest, capacity),
        Arrays.copyOf(masks, capacity),
        size);
  }

  /**
   * The count (varint), then per proxy its hash (4 bytes), its latest pane (a zig-zag varint delta
   * from the previous proxy's) and its mask (varint).
   */
  void writeTo(DataOutput out) throws IOException {
    VarInts.write(size, out);
    long previous = 0;
    for (int i = 0; i < size; i++) {
      out.writeInt(hashes[i]);
      VarInts.writeSigned(latest[i] - previous, out);
      VarInts.write(masks[i], out);
      previous = latest[i];
    }
  }

  static ProxyPresence readFrom(DataInput in) throws IOException {
    long n = VarInts.read(in);
    if (n < 0 || n > MAX_PROXIES) {
      throw new IOException("bad proxy presence: " + n + " proxies");
    }
    int size = (int) n;
    int capacity = Math.max(4, size);
    ProxyPresence p =
        new ProxyPresence(new int[capacity], new long[capacity], new long[capacity], size);
    long previous = 0;
    for (int i = 0; i < size; i++) {
      p.hashes[i] = in.readInt();
      p.latest[i] = previous + VarInts.readSigned(in);
      p.masks[i] = VarInts.read(in);
      previous = p.latest[i];
    }
    return p;
  }
}
