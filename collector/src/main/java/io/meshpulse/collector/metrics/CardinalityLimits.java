package io.meshpulse.collector.metrics;

/**
 * Caps of the Istio-standard metrics: distinct values per label, series per metric (the folded
 * {@code other} series included), and the external hosts that egress requests may name as their
 * {@code destination_service} (beyond it, the cluster's name).
 */
public record CardinalityLimits(int maxValuesPerLabel, int maxSeriesPerMetric, int maxEgressHosts) {
  public static final int DEFAULT_MAX_EGRESS_HOSTS = 100;

  public CardinalityLimits {
    if (maxValuesPerLabel < 1 || maxSeriesPerMetric < 2 || maxEgressHosts < 0) {
      throw new IllegalArgumentException(
          "cardinality limits need at least 1 value per label, 2 series per metric and 0 egress"
              + " hosts");
    }
  }

  public CardinalityLimits(int maxValuesPerLabel, int maxSeriesPerMetric) {
    this(maxValuesPerLabel, maxSeriesPerMetric, DEFAULT_MAX_EGRESS_HOSTS);
  }
}
