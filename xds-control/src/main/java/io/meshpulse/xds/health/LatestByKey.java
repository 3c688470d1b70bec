package io.meshpulse.xds.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The latest value per key of a table topic, in memory, so a read costs a hash lookup instead of a
 * store scan and a parse. The topology's updates are {@linkplain #put put} as they are processed, a
 * tombstone as an empty marker; records restored from the topic are not processed again, so the
 * first read after a restore {@linkplain #seed seeds} what the store holds and no update has
 * brought since (the marker keeps a seed from bringing a deleted key back).
 */
final class LatestByKey<K, V> {
  private final Map<K, Optional<V>> latest = new ConcurrentHashMap<>();
  private volatile boolean seeded;

  /** An update, or a tombstone when {@code value} is null. */
  void put(K key, @Nullable V value) {
    latest.put(key, Optional.ofNullable(value));
  }

  /** A value read from the store, kept unless an update (or tombstone) for its key came first. */
  void seed(K key, V value) {
    latest.putIfAbsent(key, Optional.of(value));
  }

  boolean seeded() {
    return seeded;
  }

  void markSeeded() {
    seeded = true;
  }

  /** The latest value, or null when there is none or the key was deleted. */
  @Nullable V get(K key) {
    Optional<V> value = latest.get(key);
    return value == null ? null : value.orElse(null);
  }

  /** Every key's latest value, deleted keys left out; a copy. */
  Map<K, V> all() {
    Map<K, V> copy = new LinkedHashMap<>();
    latest.forEach((key, value) -> value.ifPresent(v -> copy.put(key, v)));
    return copy;
  }
}
