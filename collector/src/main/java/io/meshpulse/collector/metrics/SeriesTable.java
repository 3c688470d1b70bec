package io.meshpulse.collector.metrics;

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

  /** The series for {@code labelValues} (folded when over a cap), created on first use. */
  S series(String[] labelValues) {
    List<String> labels = guard.admitValues(labelValues);
    S existing = series.get(labels);
    if (existing != null) {
      return existing;
    }
    synchronized (series) {
      existing = series.get(labels);
      if (existing != null) {
        return existing;
      }
      if (!guard.roomForSeries(series.size())) {
        return series.computeIfAbsent(guard.overflowSeries(), k -> factory.get());
      }
      S created = factory.get();
      series.put(labels, created);
      return created;
    }
  }

  Map<List<String>, S> snapshot() {
    return Map.copyOf(series);
  }

  int size() {
    return series.size();
  }
}
