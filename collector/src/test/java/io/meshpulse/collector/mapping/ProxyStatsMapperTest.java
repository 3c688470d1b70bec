package io.meshpulse.collector.mapping;

import static io.meshpulse.collector.EnvoyFixtures.stats;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.meshpulse.model.v1.MetricKind;
import io.meshpulse.model.v1.ProxyStats;
import io.meshpulse.model.v1.StatSample;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyStatsMapperTest {
  private static final String RQ_5XX =
      "cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_5xx";
  private static final String HEALTHY =
      "cluster.outbound|9080||reviews.default.svc.cluster.local.membership_healthy";
  private static final String RQ_TIME =
      "cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_time";

  private final ProxyStatsMapper mapper = new ProxyStatsMapper(100, false);
  private final StreamMetricsMessage first = stats("stats-report-1");
  private final NodeIdentity node =
      new NodeIdentityResolver(PlainNodeMapping.defaults())
          .resolve(first.getIdentifier().getNode());

  @Test
  void firstReport_setsCounterBaselinesAndPassesGaugesThrough() {
    ProxyStats stats = map(first).orElseThrow();

    assertThat(stats.getSamplesList())
        .as("only the gauge: counters and histograms need a baseline")
        .extracting(StatSample::getName)
        .containsExactly(HEALTHY);
    assertThat(stats.getIntervalMillis()).as("no interval yet").isZero();
  }

  @Test
  void laterReports_carryDeltas() {
    map(first);
    ProxyStats stats = map(stats("stats-report-2")).orElseThrow();

    assertThat(sample(stats, RQ_5XX).getValue()).as("counter delta").isEqualTo(7.0);
    assertThat(sample(stats, RQ_5XX).getKind())
        .as("kind")
        .isEqualTo(MetricKind.METRIC_KIND_COUNTER);
    assertThat(sample(stats, RQ_5XX).getReset()).as("no reset").isFalse();
    assertThat(sample(stats, HEALTHY).getValue()).as("gauge as is").isEqualTo(2.0);
    assertThat(sample(stats, RQ_TIME).getSampleCount()).as("histogram count delta").isEqualTo(30);
    assertThat(sample(stats, RQ_TIME).getSampleSum()).as("histogram sum delta").isEqualTo(900.0);
    assertThat(stats.getIntervalMillis()).as("interval").isEqualTo(5000);
    assertThat(stats.getTimestampUnixMillis()).as("timestamp").isEqualTo(1764158405000L);
    assertThat(stats.getNodeId()).as("node").isEqualTo("edge-proxy-1");
  }

  @Test
  void aCounterThatGoesDown_isAResetCarryingItsNewCumulativeValue() {
    map(first);
    map(stats("stats-report-2"));
    ProxyStats stats = map(stats("stats-report-3-after-restart")).orElseThrow();

    assertThat(sample(stats, RQ_5XX).getReset()).as("reset").isTrue();
    assertThat(sample(stats, RQ_5XX).getValue()).as("new cumulative value").isEqualTo(4.0);
    assertThat(sample(stats, RQ_TIME).getReset()).as("histogram reset").isTrue();
    assertThat(sample(stats, RQ_TIME).getSampleCount()).as("histogram count").isEqualTo(5);
  }

  @Test
  void countersAlreadySentAsDeltas_passThrough() {
    ProxyStatsMapper deltas = new ProxyStatsMapper(100, true);

    ProxyStats stats = deltas.map(node, first.getEnvoyMetricsList(), 0L).orElseThrow();

    assertThat(sample(stats, RQ_5XX).getValue()).as("delta as sent").isEqualTo(10.0);
  }

  @Test
  void nodesBeyondTheTrackedLimit_loseTheirBaselines() {
    ProxyStatsMapper small = new ProxyStatsMapper(1, false);
    NodeIdentity other =
        new NodeIdentity("other", "x", io.meshpulse.model.v1.Peer.getDefaultInstance());
    small.map(node, first.getEnvoyMetricsList(), 0L);
    small.map(other, first.getEnvoyMetricsList(), 0L);

    ProxyStats stats =
        small.map(node, stats("stats-report-2").getEnvoyMetricsList(), 0L).orElseThrow();

    assertThat(stats.getSamplesList())
        .as("the evicted node starts from a new baseline")
        .extracting(StatSample::getName)
        .containsExactly(HEALTHY);
  }

  private Optional<ProxyStats> map(StreamMetricsMessage message) {
    return mapper.map(node, message.getEnvoyMetricsList(), 0L);
  }

  private static StatSample sample(ProxyStats stats, String name) {
    return stats.getSamplesList().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + " in " + stats));
  }
}
