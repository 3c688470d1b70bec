package io.meshpulse.collector.mapping;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Values keyed by the bytes of a range of a message, so that a repeating string (a cluster name, a
 * SPIFFE id) is decoded and worked on once per stream rather than once per entry. Open addressing
 * with linear probing. It starts small (a stream of one proxy sees few distinct ranges, and a
 * collector holds thousands of streams) and doubles when half full, up to its maximum capacity;
 * there, when half full, it starts again empty. Not thread-safe: one per stream.
 */
final class ByteRangeCache<V> {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int maxCapacity;
  private byte[][] keys;
  private Object[] values;
  private int mask;
  private int size;

  /** A cache of a fixed {@code capacity}, a power of two. */
  ByteRangeCache(int capacity) {
    this(capacity, capacity);
  }

  /** A cache that starts at {@code initialCapacity} and grows to {@code maxCapacity}. */
  ByteRangeCache(int initialCapacity, int maxCapacity) {
    if (Integer.bitCount(initialCapacity) != 1 || Integer.bitCount(maxCapacity) != 1) {
      throw new IllegalArgumentException(
          "capacities must be powers of two: " + initialCapacity + ", " + maxCapacity);
    }
    if (initialCapacity > maxCapacity) {
      throw new IllegalArgumentException("initial capacity above the maximum: " + initialCapacity);
    }
    this.maxCapacity = maxCapacity;
    this.keys = new byte[initialCapacity][];
    this.values = new Object[initialCapacity];
    this.mask = initialCapacity - 1;
  }

  /** Slots allocated now. */
  int capacity() {
    return keys.length;
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
      if (keys.length < maxCapacity) {
        grow();
      } else {
        clear();
      }
    }
    insert(Arrays.copyOfRange(buf, off, off + len), value);
    size++;
  }

  private void insert(byte[] key, Object value) {
    int i = hash(key, 0, key.length) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
  }

  private void grow() {
    byte[][] oldKeys = keys;
    Object[] oldValues = values;
    keys = new byte[oldKeys.length * 2][];
    values = new Object[oldKeys.length * 2];
    mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        insert(oldKeys[i], oldValues[i]);
      }
    }
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
