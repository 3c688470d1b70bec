package io.meshpulse.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.MeshpulseBuild;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CollectorMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CollectorMetrics metrics = new CollectorMetrics(registry);

  @Test
  void buildInfo_namesTheComponentAndTheBuildItRuns() {
    MeshpulseBuild build = MeshpulseBuild.current();

    assertThat(registry.scrape())
        .contains(
            "meshpulse_build_info{component=\"collector\",revision=\""
                + build.revision()
                + "\",version=\""
                + build.version()
                + "\"} 1\n");
  }

  @Test
  void everyDropReason_isExportedAtZero_beforeAnyDrop() {
    assertThat(registry.scrape())
        .as("exposition of a collector that dropped nothing")
        .contains("meshpulse_collector_records_dropped_total{reason=\"buffer_hard_limit\"} 0.0")
        .contains("meshpulse_collector_records_dropped_total{reason=\"kafka_rejected\"} 0.0")
        .contains("meshpulse_collector_records_dropped_total{reason=\"shutdown\"} 0.0");
  }

  @Test
  void everySkipReason_isExportedAtZero_andCountsOnItsSeries() {
    metrics.entriesSkipped("downstream_periodic", 4);

    assertThat(registry.scrape())
        .as("exposition after four periodic entries skipped")
        .contains("meshpulse_collector_entries_skipped_total{reason=\"downstream_periodic\"} 4.0")
        .contains("meshpulse_collector_entries_skipped_total{reason=\"downstream_start\"} 0.0")
        .contains(
            "meshpulse_collector_entries_skipped_total"
                + "{reason=\"downstream_tunnel_successfully_established\"} 0.0")
        .contains("meshpulse_collector_entries_skipped_total{reason=\"upstream_pool_ready\"} 0.0")
        .contains("meshpulse_collector_entries_skipped_total{reason=\"upstream_periodic\"} 0.0")
        .contains("meshpulse_collector_entries_skipped_total{reason=\"upstream_end\"} 0.0")
        .contains("meshpulse_collector_entries_skipped_total{reason=\"other_type\"} 0.0")
        .doesNotContain(
            "meshpulse_collector_records_dropped_total{reason=\"downstream_periodic\"}");
  }

  @Test
  void drops_countOnTheSeriesOfTheirReason() {
    metrics.dropped(CollectorMetrics.DROP_KAFKA_REJECTED, 3);

    assertThat(registry.scrape())
        .as("exposition after three rejected records")
        .contains("meshpulse_collector_records_dropped_total{reason=\"kafka_rejected\"} 3.0")
        .contains("meshpulse_collector_records_dropped_total{reason=\"shutdown\"} 0.0");
  }

  @Test
  void bufferFill_isExportedBesideTheSoftLimitsItIsMeasuredAgainst() {
    AtomicLong bytes = new AtomicLong(2_048);
    metrics.bufferGauges(() -> 10, bytes::get, () -> 0, 50_000, 64L << 20);
    bytes.set(4_096);

    assertThat(registry.scrape())
        .as("buffer gauges")
        .contains("meshpulse_collector_buffer_records 10.0")
        .contains("meshpulse_collector_buffer_bytes 4096.0")
        .contains("meshpulse_collector_buffer_limit_records 50000.0")
        .contains("meshpulse_collector_buffer_limit_bytes 6.7108864E7");
  }
}
