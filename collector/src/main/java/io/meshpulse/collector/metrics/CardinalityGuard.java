package io.meshpulse.collector.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Keeps one metric family's label values and series under their caps. A label value beyond the
 * per-label cap becomes {@code other}; a new series beyond the series cap is folded, every label
 * {@code other}, into one overflow series. Each fold is reported to {@code overflow} with the label
 * name ({@code _series} for a folded series).
 */
final class CardinalityGuard {
  static final String OTHER = "other";
  static final String SERIES = "_series";

  private final List<String> labelNames;
  private final CardinalityLimits limits;
  private final List<Set<String>> seen;
  private final BiConsumer<String, String> overflow;
  private final String metric;

  CardinalityGuard(
      String metric,
      List<String> labelNames,
      CardinalityLimits limits,
      BiConsumer<String, String> overflow) {
    this.metric = metric;
    this.labelNames = labelNames;
    this.limits = limits;
    this.overflow = overflow;
    this.seen = new ArrayList<>(labelNames.size());
    for (int i = 0; i < labelNames.size(); i++) {
      seen.add(ConcurrentHashMap.newKeySet());
    }
  }

  /** The label values to record: {@code values}, with values over the per-label cap folded. */
  List<String> admitValues(String[] values) {
    String[] admitted = values.clone();
    for (int i = 0; i < admitted.length; i++) {
      Set<String> known = seen.get(i);
      if (known.contains(admitted[i])) {
        continue;
      }
      synchronized (known) {
        if (known.contains(admitted[i])) {
          continue;
        }
        if (known.size() < limits.maxValuesPerLabel()) {
          known.add(admitted[i]);
        } else {
          overflow.accept(metric, labelNames.get(i));
          admitted[i] = OTHER;
        }
      }
    }
    return Arrays.asList(admitted);
  }

  /** Whether one more distinct series fits besides the overflow series. */
  boolean roomForSeries(int currentSeries) {
    return currentSeries < limits.maxSeriesPerMetric() - 1;
  }

  /** The labels of the overflow series, and reports the fold. */
  List<String> overflowSeries() {
    overflow.accept(metric, SERIES);
    String[] others = new String[labelNames.size()];
    Arrays.fill(others, OTHER);
    return Arrays.asList(others);
  }
}
