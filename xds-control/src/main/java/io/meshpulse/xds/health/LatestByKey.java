package io.meshpulse.xds.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The latest value per key of a table topic, in memory, so a read costs a hash lookup instead of a
 * store scan and a parse. The topology's updates are {@linkplain #put put} as they are processed, a
 * tombstone as an empty marker; records restored from the topic are not processed again, so the
 * first read after a restore {@linkplain #seed seeds} what the store holds and no update has
 * brought since (the marker keeps a seed from bringing a deleted key back).
 *
 * <p>Each value is held with the time it speaks of; an update older than the value held is ignored,
 * so a window scored again after a health job's restart does not replace the verdict on a newer
 * one.
 */
final class LatestByKey<K, V> {
  /** A value (null: a tombstone) and the time it speaks of. */
  private record Entry<V>(@Nullable V value, long asOfMillis) {}

  private final Map<K, Entry<V>> latest = new ConcurrentHashMap<>();
  private volatile boolean seeded;

  /** A tombstone: the key is deleted, whatever its value's time. */
  void delete(K key) {
    latest.put(key, new Entry<>(null, Long.MIN_VALUE));
  }

  /**
   * An update as of {@code asOfMillis}: it replaces the key's value unless that speaks of a later
   * time; returns false when it was ignored.
   */
  boolean put(K key, V value, long asOfMillis) {
    boolean[] applied = {true};
    latest.compute(
        key,
        (k, held) -> {
          if (held != null && held.value() != null && asOfMillis < held.asOfMillis()) {
            applied[0] = false;
            return held;
          }
          return new Entry<>(value, asOfMillis);
        });
    return applied[0];
  }

  /** A value read from the store, kept unless an update (or tombstone) for its key came first. */
  void seed(K key, V value, long asOfMillis) {
    latest.putIfAbsent(key, new Entry<>(value, asOfMillis));
  }

  boolean seeded() {
    return seeded;
  }

  void markSeeded() {
    seeded = true;
  }

  /** The latest value, or null when there is none or the key was deleted. */
  @Nullable V get(K key) {
    Entry<V> entry = latest.get(key);
    return entry == null ? null : entry.value();
  }

  /** Every key's latest value, deleted keys left out; a copy. */
  Map<K, V> all() {
    Map<K, V> copy = new LinkedHashMap<>();
    latest.forEach(
        (key, entry) -> {
          if (entry.value() != null) {
            copy.put(key, entry.value());
          }
        });
    return copy;
  }
}
