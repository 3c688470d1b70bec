package io.meshpulse.collector.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The series of one group of metrics that share labels, behind a {@link CardinalityGuard}. */
final class SeriesTable<S> {
  private final CardinalityGuard guard;
  private final Supplier<S> factory;
  private final ConcurrentHashMap<List<String>, S> series = new ConcurrentHashMap<>();

  SeriesTable(CardinalityGuard guard, Supplier<S> factory) {
    this.guard = guard;
    this.factory = factory;
  }

  /**
   * A series found for some label values; {@code exact} when nothing was folded, so that the same
   * values will always find this series again (values and series are only ever added).
   */
  record Lookup<S>(S series, boolean exact) {}

  /** The series for {@code labelValues} (folded when over a cap), created on first use. */
  S series(String[] labelValues) {
    return lookup(labelValues).series();
  }

  Lookup<S> lookup(String[] labelValues) {
    List<String> labels = guard.admitValues(labelValues);
    boolean exact =
        !labels.contains(CardinalityGuard.OTHER) || Arrays.asList(labelValues).equals(labels);
    S existing = series.get(labels);
    if (existing != null) {
      return new Lookup<>(existing, exact);
    }
    synchronized (series) {
      existing = series.get(labels);
      if (existing != null) {
        return new Lookup<>(existing, exact);
      }
      if (!guard.roomForSeries(series.size())) {
        return new Lookup<>(
            series.computeIfAbsent(guard.overflowSeries(), k -> factory.get()), false);
      }
      S created = factory.get();
      series.put(labels, created);
      return new Lookup<>(created, exact);
    }
  }

  Map<List<String>, S> snapshot() {
    return Map.copyOf(series);
  }

  int size() {
    return series.size();
  }
}
