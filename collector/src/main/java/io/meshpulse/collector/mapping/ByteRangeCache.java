package io.meshpulse.collector.mapping;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Values keyed by the bytes of a range of a message, so that a repeating string (a cluster name, a
 * SPIFFE id) is decoded and worked on once per stream rather than once per entry. Open addressing
 * with linear probing; when half full it starts again empty. Not thread-safe: one per stream.
 */
final class ByteRangeCache<V> {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[][] keys;
  private final Object[] values;
  private final int mask;
  private int size;

  /** {@code capacity}: a power of two. */
  ByteRangeCache(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    this.keys = new byte[capacity][];
    this.values = new Object[capacity];
    this.mask = capacity - 1;
  }

  @SuppressWarnings("unchecked") // values only ever holds Vs
  @Nullable V get(byte[] buf, int off, int len) {
    for (int i = hash(buf, off, len) & mask; keys[i] != null; i = (i + 1) & mask) {
      byte[] key = keys[i];
      if (key.length == len && Arrays.equals(key, 0, len, buf, off, off + len)) {
        return (V) values[i];
      }
    }
    return null;
  }

  void put(byte[] buf, int off, int len, V value) {
    if (size * 2 >= keys.length) {
      clear();
    }
    int i = hash(buf, off, len) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = Arrays.copyOfRange(buf, off, off + len);
    values[i] = value;
    size++;
  }

  void clear() {
    Arrays.fill(keys, null);
    Arrays.fill(values, null);
    size = 0;
  }

  /** Eight bytes at a step: a key is hashed on every lookup. */
  private static int hash(byte[] buf, int off, int len) {
    long h = len;
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      h = (h ^ (long) LONGS.get(buf, i)) * 0x9E3779B97F4A7C15L;
    }
    for (; i < end; i++) {
      h = (h ^ buf[i]) * 0x100000001B3L;
    }
    h ^= h >>> 29;
    return (int) (h ^ (h >>> 32));
  }
}
