package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.MetricKind;
import io.meshpulse.model.v1.ProxyStats;
import io.meshpulse.model.v1.StatSample;
import io.prometheus.client.Metrics.LabelPair;
import io.prometheus.client.Metrics.Metric;
import io.prometheus.client.Metrics.MetricFamily;
import io.prometheus.client.Metrics.MetricType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns MetricsService reports (cumulative Envoy stats) into per-node deltas. The first report of a
 * series only sets its baseline; a counter (or histogram count) that goes down is a reset (the
 * proxy restarted): its new cumulative value is published with {@code reset = true}. Gauges pass
 * through. When Envoy already sends counters as deltas ({@code report_counters_as_deltas}), they
 * pass through too. State is kept for at most {@code maxNodes} nodes, least recently reported first
 * out. Thread-safe.
 */
public final class ProxyStatsMapper {
  private final boolean countersAreDeltas;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final LinkedHashMap<String, NodeState> nodes;

  public ProxyStatsMapper(int maxNodes, boolean countersAreDeltas) {
    this.countersAreDeltas = countersAreDeltas;
    this.nodes =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, NodeState> eldest) {
            return size() > maxNodes;
          }
        };
  }

  /** The deltas of one report; empty when the report only set baselines. */
  public Optional<ProxyStats> map(
      NodeIdentity node, List<MetricFamily> families, long receivedUnixMillis) {
    long timestamp = reportTimestamp(families, receivedUnixMillis);
    Set<String> histogramNames = new HashSet<>();
    for (MetricFamily family : families) {
      if (family.getType() == MetricType.HISTOGRAM) {
        histogramNames.add(family.getName());
      }
    }
    ProxyStats.Builder stats =
        ProxyStats.newBuilder()
            .setNodeId(node.nodeId())
            .setNodeCluster(node.nodeCluster())
            .setLocality(node.peer().getLocality())
            .setTimestampUnixMillis(timestamp);
    synchronized (lock) {
      NodeState state = nodes.computeIfAbsent(node.nodeId(), id -> new NodeState());
      for (MetricFamily family : families) {
        for (Metric metric : family.getMetricList()) {
          Optional<StatSample> sample = sample(state, family, metric, histogramNames);
          sample.ifPresent(stats::addSamples);
        }
      }
      stats.setIntervalMillis(state.lastTimestamp == 0 ? 0 : timestamp - state.lastTimestamp);
      state.lastTimestamp = timestamp;
    }
    return stats.getSamplesCount() == 0 ? Optional.empty() : Optional.of(stats.build());
  }

  private Optional<StatSample> sample(
      NodeState state, MetricFamily family, Metric metric, Set<String> histogramNames) {
    Map<String, String> labels = new TreeMap<>();
    for (LabelPair pair : metric.getLabelList()) {
      labels.put(pair.getName(), pair.getValue());
    }
    StatSample.Builder sample =
        StatSample.newBuilder().setName(family.getName()).putAllLabels(labels);
    String key = family.getName() + labels;
    switch (family.getType()) {
      case COUNTER -> {
        double value = metric.getCounter().getValue();
        if (countersAreDeltas) {
          return Optional.of(
              sample.setKind(MetricKind.METRIC_KIND_COUNTER).setValue(value).build());
        }
        Previous previous = state.series.put(key, new Previous(value, 0, 0));
        if (previous == null) {
          return Optional.empty();
        }
        boolean reset = value < previous.value;
        return Optional.of(
            sample
                .setKind(MetricKind.METRIC_KIND_COUNTER)
                .setValue(reset ? value : value - previous.value)
                .setReset(reset)
                .build());
      }
      case GAUGE, UNTYPED -> {
        double value =
            family.getType() == MetricType.GAUGE
                ? metric.getGauge().getValue()
                : metric.getUntyped().getValue();
        return Optional.of(sample.setKind(MetricKind.METRIC_KIND_GAUGE).setValue(value).build());
      }
      case HISTOGRAM, SUMMARY -> {
        if (family.getType() == MetricType.SUMMARY && histogramNames.contains(family.getName())) {
          return Optional.empty();
        }
        long count =
            family.getType() == MetricType.HISTOGRAM
                ? metric.getHistogram().getSampleCount()
                : metric.getSummary().getSampleCount();
        double sum =
            family.getType() == MetricType.HISTOGRAM
                ? metric.getHistogram().getSampleSum()
                : metric.getSummary().getSampleSum();
        Previous previous = state.series.put(key, new Previous(0, count, sum));
        if (previous == null) {
          return Optional.empty();
        }
        boolean reset = count < previous.count;
        return Optional.of(
            sample
                .setKind(MetricKind.METRIC_KIND_HISTOGRAM)
                .setSampleCount(reset ? count : count - previous.count)
                .setSampleSum(reset ? sum : sum - previous.sum)
                .setValue(reset ? count : count - previous.count)
                .setReset(reset)
                .build());
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static long reportTimestamp(List<MetricFamily> families, long receivedUnixMillis) {
    for (MetricFamily family : families) {
      for (Metric metric : family.getMetricList()) {
        if (metric.getTimestampMs() > 0) {
          return metric.getTimestampMs();
        }
      }
    }
    return receivedUnixMillis;
  }

  private record Previous(double value, long count, double sum) {}

  private static final class NodeState {
    final Map<String, Previous> series = new HashMap<>();
    long lastTimestamp;
  }
}
