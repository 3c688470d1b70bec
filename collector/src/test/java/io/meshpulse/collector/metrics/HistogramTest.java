package io.meshpulse.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistogramTest {
  @Test
  void microsecondObservations_fallIntoMillisecondBucketsInclusiveOfTheirUpperBound() {
    Histogram histogram = new Histogram(new double[] {0.5, 1, 5}, 1000);

    histogram.observe(500); // 0.5 ms: the 0.5 bucket, as Prometheus' le is "less or equal"
    histogram.observe(501);
    histogram.observe(1_000);
    histogram.observe(7_250); // past the last bound: +Inf

    HistogramDataPointSnapshot point = histogram.snapshot(Labels.EMPTY);
    List<Long> counts = new ArrayList<>();
    for (ClassicHistogramBucket bucket : point.getClassicBuckets()) {
      counts.add(bucket.getCount());
    }
    assertThat(counts).as("counts per bucket (not cumulative)").containsExactly(1L, 2L, 0L, 1L);
    assertThat(point.getSum()).as("sum in milliseconds").isEqualTo(9.251);
    assertThat(histogram.count()).as("count").isEqualTo(4);
  }

  @Test
  void boundsThatAreNotWholeFineUnits_areRejected() {
    assertThatThrownBy(() -> new Histogram(new double[] {0.5}, 1))
        .as("0.5 byte")
        .isInstanceOf(IllegalArgumentException.class);
  }
}
