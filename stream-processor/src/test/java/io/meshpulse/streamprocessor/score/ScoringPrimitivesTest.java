package io.meshpulse.streamprocessor.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Protocol;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ScoringPrimitivesTest {

  @Test
  void wilsonLowerBound_isCautiousAtLowVolume_andTightAtHighVolume() {
    assertThat(Wilson.lowerBound(5, 5, 3)).as("5 of 5").isLessThan(0.4);
    assertThat(Wilson.lowerBound(500, 1000, 3)).as("500 of 1000").isCloseTo(0.4529, within(0.001));
    assertThat(Wilson.lowerBound(0, 1000, 3)).as("0 of 1000").isEqualTo(0.0);
    assertThat(Wilson.lowerBound(0, 0, 3)).as("no data").isEqualTo(0.0);
  }

  @Test
  void evidence_growsWithTheExcess_andIsZeroAtOrBelowTheBaseline() {
    assertThat(Evidence.nats(0, 120, 0.002)).as("no errors").isEqualTo(0.0);
    assertThat(Evidence.nats(1, 1000, 0.002)).as("below the baseline").isEqualTo(0.0);
    assertThat(Evidence.nats(5, 120, 0.002)).as("5 of 120 vs 0.2 %").isCloseTo(10.5, within(0.1));
    assertThat(Evidence.nats(120, 120, 0.002)).as("all failed").isCloseTo(745.8, within(0.1));
    double previous = 0;
    for (int errors = 1; errors <= 120; errors++) {
      double nats = Evidence.nats(errors, 120, 0.002);
      assertThat(nats).as("evidence of %d errors", errors).isGreaterThan(previous);
      previous = nats;
    }
  }

  @Test
  void twoSampleEvidence_weighsThePeersCount_andApproachesTheOneSampleWithManyPeers() {
    assertThat(Evidence.twoSampleNats(1, 140, 2, 140)).as("below the peers").isEqualTo(0.0);
    assertThat(Evidence.twoSampleNats(5, 0, 2, 140)).as("no requests").isEqualTo(0.0);
    // 17 of 142 above one peer's p99, which 1 of that peer's 142 requests exceeds.
    assertThat(Evidence.nats(17, 142, 0.01)).as("against 1 %%").isGreaterThan(16);
    assertThat(Evidence.twoSampleNats(17, 142, 1, 142)).as("against one peer's 142").isLessThan(16);
    // A ×3 regression over a tenth of 1,200 requests, against nine peers of 1,200.
    assertThat(Evidence.nats(43, 1200, 0.01)).as("against 1 %%").isCloseTo(24.0, within(0.5));
    assertThat(Evidence.twoSampleNats(43, 1200, 108, 10_800))
        .as("against nine peers' counts")
        .isCloseTo(20.8, within(0.5));
    assertThat(Evidence.twoSampleNats(43, 1200, 10_000, 1_000_000))
        .as("against a million peer requests")
        .isCloseTo(Evidence.nats(43, 1200, 0.01), within(0.1));
  }

  @Test
  void evidenceOfSixteenNats_isReachedByAHealthyEndpointWithAChanceBelowEToTheMinusSixteen() {
    // Exact binomial tails: the chance that an endpoint failing at its peers' rate shows 16 nats.
    for (double baseline : new double[] {0.001, 0.002, 0.01, 0.05}) {
      for (int n : new int[] {20, 120, 360, 1200, 10_000}) {
        double chance = 0;
        for (int k = 0; k <= n; k++) {
          if (Evidence.nats(k, n, baseline) >= 16) {
            chance += Math.exp(logBinomialPmf(k, n, baseline));
          }
        }
        assertThat(chance)
            .as("chance of 16 nats at n=%d, rate %.3f", n, baseline)
            .isLessThanOrEqualTo(Math.exp(-16));
      }
    }
  }

  private static double logBinomialPmf(int k, int n, double p) {
    double logChoose = 0;
    for (int i = 1; i <= k; i++) {
      logChoose += Math.log((double) (n - k + i) / i);
    }
    return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
  }

  @Test
  void errorClass_prefersConnectionFailures_thenTimeouts_thenGrpc_thenHttp5xx() {
    AccessRecord.Builder r = AccessRecord.newBuilder().setCluster("c");
    assertThat(ErrorClass.of(r.setResponseCode(503).setResponseFlagsText("UT,UF").build()))
        .as("UT,UF")
        .isEqualTo(ErrorClass.CONNECTION_FAILURE);
    assertThat(ErrorClass.of(r.setResponseCode(504).setResponseFlagsText("UT").build()))
        .as("UT")
        .isEqualTo(ErrorClass.TIMEOUT);
    assertThat(ErrorClass.of(r.setResponseCode(503).setResponseFlagsText("-").build()))
        .as("plain 503")
        .isEqualTo(ErrorClass.HTTP_5XX);
    assertThat(ErrorClass.of(r.setResponseCode(404).build())).as("404").isEqualTo(ErrorClass.NONE);
    assertThat(
            ErrorClass.of(
                r.setResponseCode(200)
                    .setProtocol(Protocol.PROTOCOL_GRPC)
                    .setGrpcStatus(14)
                    .build()))
        .as("UNAVAILABLE")
        .isEqualTo(ErrorClass.GRPC_ERROR);
    assertThat(ErrorClass.of(r.setGrpcStatus(5).build()))
        .as("NOT_FOUND is the client's problem")
        .isEqualTo(ErrorClass.NONE);
    assertThat(ErrorClass.of(r.setResponseCode(503).setGrpcStatus(-1).build()))
        .as("a status Envoy could not read leaves it to the HTTP code")
        .isEqualTo(ErrorClass.HTTP_5XX);
    assertThat(ErrorClass.of(r.setResponseCode(200).setGrpcStatus(-1).build()))
        .as("unreadable status on a 200")
        .isEqualTo(ErrorClass.NONE);
  }

  /**
   * The Prometheus rules count a gRPC request as failed by the same statuses as the health job
   * (docs/operations.md, "What counts as a failed request"): the alerts and the scores agree on
   * what a gRPC server's failure is.
   */
  @Test
  void grpcServerErrors_areTheStatusesTheRulesCountAsFailed() throws IOException {
    String rules = Files.readString(Path.of("../dashboards/prometheus/meshpulse-rules.yml"));
    Matcher selector = Pattern.compile("grpc_response_status=~\"([0-9|]+)\"").matcher(rules);
    List<Set<Integer>> selectors = new ArrayList<>();
    while (selector.find()) {
      Set<Integer> statuses = new TreeSet<>();
      for (String status : selector.group(1).split("\\|")) {
        statuses.add(Integer.parseInt(status));
      }
      selectors.add(statuses);
    }
    assertThat(selectors)
        .as("the gRPC statuses each error rule selects")
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s).isEqualTo(new TreeSet<>(ErrorClass.GRPC_SERVER_ERRORS)));
  }

  @Test
  void errorClass_readsTheBitmask_whenTheFlagTextIsAbsent() {
    AccessRecord.Builder r = AccessRecord.newBuilder().setCluster("c").setResponseCode(503);
    assertThat(ErrorClass.of(r.setResponseFlags(1L << 5).build()))
        .as("bit of UF (field 6)")
        .isEqualTo(ErrorClass.CONNECTION_FAILURE);
    assertThat(ErrorClass.of(r.setResponseFlags(1L << 2).build()))
        .as("bit of UT (field 3)")
        .isEqualTo(ErrorClass.TIMEOUT);
    assertThat(ErrorClass.of(r.setResponseFlags(1L << 9).build()))
        .as("bit of DI (field 10), not an error flag")
        .isEqualTo(ErrorClass.HTTP_5XX);
  }

  @Test
  void aggregate_mergesLikeOneAggregate_andItsStatsSurviveTheirBinaryForm() throws IOException {
    EndpointAggregate a = Traffic.endpoint(1).steady(300, 0.1, 20).statsSource();
    EndpointAggregate b =
        Traffic.endpoint(1).add(5_000, 10_000, 200, 0.5, ErrorClass.TIMEOUT, 40).statsSource();
    EndpointAggregate copy = a.copy();
    EndpointStats merged = copy.merge(b).snapshot(Traffic.WINDOW_START, Traffic.WINDOW_END);
    assertThat(merged.requests()).as("requests").isEqualTo(500);
    assertThat(merged.counts().timeouts()).as("timeouts").isEqualTo(100);
    assertThat(merged.counts().http5xx()).as("5xx").isEqualTo(30);
    assertThat(merged.recentRequests()).as("last slide requests (30 + 40)").isEqualTo(70);
    assertThat(merged.reportingProxies()).as("proxies").isEqualTo(4);
    assertThat(merged.p99Millis()).as("p99 of the merged latencies").isGreaterThan(40);

    ByteArrayOutputStream statsBytes = new ByteArrayOutputStream();
    merged.writeTo(new DataOutputStream(statsBytes));
    EndpointStats back =
        EndpointStats.readFrom(
            new DataInputStream(new ByteArrayInputStream(statsBytes.toByteArray())));
    assertThat(back.p99Millis()).as("p99 after a round trip").isEqualTo(merged.p99Millis());
    assertThat(back.id()).as("identity").isEqualTo(merged.id());
    assertThat(back.counts()).as("counts").isEqualTo(merged.counts());
  }

  @Test
  void latencySketch_quantilesAreWithinOnePercent() {
    EndpointAggregate a = new EndpointAggregate(1000);
    for (int i = 1; i <= 10_000; i++) {
      a.add(0, ErrorClass.NONE, i / 10.0, "p");
    }
    EndpointStats s = a.snapshot(0, 10_000);
    assertThat(s.p99Millis()).as("p99 of 0.1..1000 ms").isCloseTo(990, within(990 * 0.0101));
    assertThat(s.p50Millis()).as("p50").isCloseTo(500, within(500 * 0.0101));
  }

  @Test
  void thresholds_rejectNonsense_withTheNameOfTheValue() {
    assertThatThrownBy(() -> ScoringThresholds.builder().unhealthyBelow(0.9).build())
        .as("unhealthy above degraded")
        .hasMessageContaining("unhealthyBelow");
    assertThatThrownBy(() -> ScoringThresholds.builder().minRequests(0).build())
        .as("zero min requests")
        .hasMessageContaining("minRequests");
  }

  @Test
  void latencyBins_holdDDSketchsBins_andWindowsOfThemGiveDDSketchsQuantiles() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    double[] qs = {0.0, 0.25, 0.50, 0.90, 0.99, 1.0};
    for (int round = 0; round < 500; round++) {
      com.datadoghq.sketch.ddsketch.DDSketch merged = LatencySketch.create();
      java.util.List<LatencyBins> panes = new java.util.ArrayList<>();
      java.util.List<LatencyHistogram> perPane = new java.util.ArrayList<>();
      for (int p = 0; p < 1 + round % 10; p++) {
        com.datadoghq.sketch.ddsketch.DDSketch sketch = LatencySketch.create();
        LatencyBins pane = new LatencyBins();
        int n = random.nextInt(0, 40);
        for (int i = 0; i < n; i++) {
          double v = i % 7 == 0 ? 0.0 : Math.exp(random.nextDouble(-3, 9));
          sketch.accept(v);
          pane.add(v);
        }
        LatencyHistogram one = LatencyHistogram.ofPanes(pane);
        assertThat(one)
            .as("a pane's bins are the sketch's")
            .isEqualTo(EndpointAggregate.histogramOf(sketch));
        assertThat(pane.toHistogram().quantile(0.5))
            .as("a pane's median")
            .isEqualTo(LatencySketch.quantile(sketch, 0.5));
        LatencyBins restored =
            LatencyBins.readFrom(
                new java.io.DataInputStream(
                    new java.io.ByteArrayInputStream(bytes(pane::writeTo))));
        assertThat(LatencyHistogram.ofPanes(restored)).as("a pane read back").isEqualTo(one);
        assertThat(restored.count()).as("a pane's count read back").isEqualTo(pane.count());
        panes.add(pane);
        perPane.add(one);
        merged.mergeWith(sketch);
      }
      LatencyHistogram window = LatencyHistogram.ofPanes(panes.toArray(new LatencyBins[0]));
      LatencyHistogram h =
          LatencyHistogram.readFrom(
              new java.io.DataInputStream(
                  new java.io.ByteArrayInputStream(bytes(window::writeTo))));

      assertThat(h).as("read back").isEqualTo(window);
      assertThat(LatencyHistogram.sum(perPane)).as("sum of pane histograms").isEqualTo(h);
      assertThat(h.count()).as("count").isEqualTo(Math.round(merged.getCount()));
      double[] values = h.quantiles(qs);
      for (int q = 0; q < qs.length; q++) {
        assertThat(values[q])
            .as("q=%s of %d values", qs[q], h.count())
            .isEqualTo(LatencySketch.quantile(merged, qs[q]));
      }
    }
  }

  @Test
  void countAbove_countsTheValuesWhoseBinIsAboveTheReference() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    for (int round = 0; round < 300; round++) {
      LatencyBins pane = new LatencyBins();
      java.util.List<Double> values = new java.util.ArrayList<>();
      for (int i = 0; i < random.nextInt(0, 200); i++) {
        double v = i % 11 == 0 ? 0.0 : Math.exp(random.nextDouble(-2, 7));
        pane.add(v);
        values.add(v);
      }
      LatencyHistogram h = pane.toHistogram();
      double reference = Math.exp(random.nextDouble(-2, 7));
      long expected =
          values.stream()
              .filter(v -> v > LatencyHistogram.MAPPING.minIndexableValue())
              .filter(
                  v ->
                      LatencyHistogram.MAPPING.value(LatencyHistogram.MAPPING.index(v)) > reference)
              .count();
      assertThat(h.countAbove(reference))
          .as("round %d: values above %s", round, reference)
          .isEqualTo(expected);
      assertThat(h.countAbove(Double.MAX_VALUE)).as("none above the largest double").isZero();
      assertThat(h.countAbove(0.0))
          .as("every indexed value is above 0")
          .isEqualTo(
              values.stream()
                  .filter(v -> v > LatencyHistogram.MAPPING.minIndexableValue())
                  .count());
    }
  }

  private interface Writer {
    void write(java.io.DataOutput out) throws java.io.IOException;
  }

  private static byte[] bytes(Writer writer) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    writer.write(new java.io.DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  @Test
  void proxyPresence_countsTheProxiesOfAWindowsPanes_asAListOfEveryReportWould() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    for (int round = 0; round < 300; round++) {
      ProxyPresence presence = new ProxyPresence();
      // Every report of an admitted proxy (the first 256 distinct ones), as (hash, pane).
      java.util.Map<Integer, java.util.Set<Long>> reports = new java.util.HashMap<>();
      int bound = 1 + random.nextInt(round % 3 == 0 ? 128 : 40); // at most 256 distinct proxies
      long now = random.nextLong(-1_000, 1_000_000);
      for (int i = random.nextInt(1, 800); i > 0; i--) {
        now += random.nextInt(100) == 0 ? 1 : 0;
        long pane = now + random.nextInt(-12, 3);
        int hash = random.nextInt(-bound, bound);
        presence.add(hash, pane);
        reports.computeIfAbsent(hash, h -> new java.util.HashSet<>()).add(pane);
      }
      for (int w = 0; w < 5; w++) {
        long to = now + random.nextInt(-8, 4);
        long from = to - random.nextInt(1, 11);
        assertThat(presence.distinct(from, to))
            .as("round %d, panes [%d, %d)", round, from, to)
            .isEqualTo(reportersIn(reports, from, to));
      }
      long keepFrom = now - random.nextInt(0, 12);
      presence.evictBefore(keepFrom);
      reports.values().removeIf(panes -> panes.stream().allMatch(p -> p < keepFrom));
      assertThat(presence.size()).as("kept after eviction").isEqualTo(reports.size());
      ProxyPresence restored =
          ProxyPresence.readFrom(
              new java.io.DataInputStream(
                  new java.io.ByteArrayInputStream(bytes(presence::writeTo))));
      assertThat(restored.distinct(keepFrom, now + 3))
          .as("read back")
          .isEqualTo(reportersIn(reports, keepFrom, now + 3))
          .isEqualTo(presence.copy().distinct(keepFrom, now + 3));
    }
  }

  @Test
  void proxyPresence_whenFull_newProxiesReplaceTheStalest() {
    ProxyPresence presence = new ProxyPresence();
    for (int h = 0; h < ProxyPresence.MAX_PROXIES; h++) {
      presence.add(h, 0);
    }
    for (int h = 1_000; h < 1_000 + ProxyPresence.MAX_PROXIES; h++) {
      presence.add(h, 1 + h % 9);
    }
    assertThat(presence.size()).as("tracked").isEqualTo(ProxyPresence.MAX_PROXIES);
    assertThat(presence.distinct(1, 11)).as("the 256 recent proxies").isEqualTo(256);
    assertThat(presence.distinct(0, 1)).as("pane 0's proxies were replaced").isZero();
    presence.add(5_000, 0);
    assertThat(presence.distinct(0, 1))
        .as("a report older than every tracked proxy's latest is not taken")
        .isZero();
  }

  private static int reportersIn(
      java.util.Map<Integer, java.util.Set<Long>> reports, long from, long to) {
    return (int)
        reports.values().stream()
            .filter(panes -> panes.stream().anyMatch(p -> p >= from && p < to))
            .count();
  }
}
