package io.meshpulse.collector.metrics;

/**
 * Caps of the Istio-standard metrics: distinct values per label, and series per metric (the folded
 * {@code other} series included).
 */
public record CardinalityLimits(int maxValuesPerLabel, int maxSeriesPerMetric) {
  public CardinalityLimits {
    if (maxValuesPerLabel < 1 || maxSeriesPerMetric < 2) {
      throw new IllegalArgumentException(
          "cardinality limits need at least 1 value per label and 2 series per metric");
    }
  }
}
