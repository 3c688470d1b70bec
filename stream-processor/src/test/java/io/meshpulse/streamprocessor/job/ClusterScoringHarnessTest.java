package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.streamprocessor.io.OutRecord;
import io.meshpulse.streamprocessor.io.Sample;
import io.meshpulse.streamprocessor.score.EndpointAggregate;
import io.meshpulse.streamprocessor.score.EndpointId;
import io.meshpulse.streamprocessor.score.EndpointStats;
import io.meshpulse.streamprocessor.score.ErrorClass;
import io.meshpulse.streamprocessor.score.ScoringThresholds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/** The per-cluster stage: it waits for the watermark, then scores a window's endpoints together. */
class ClusterScoringHarnessTest {

  private static KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> harness()
      throws Exception {
    return harness(
        new ClusterScoringFunction(ScoringThresholds.defaults(), Clock.systemUTC(), 10_000));
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> harness(
      ClusterScoringFunction function) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(function), s -> s.id().cluster(), Types.STRING);
  }

  /**
   * One endpoint's stats for the window ending at {@code end}: 200 requests, {@code errors} 5xx.
   */
  private static EndpointStats stats(int host, long end, int errors) {
    return stats("reviews", host, end, errors);
  }

  private static EndpointStats stats(String cluster, int host, long end, int errors) {
    EndpointAggregate a = new EndpointAggregate(1_000);
    for (int i = 0; i < 200; i++) {
      Sample s =
          TestSamples.sample(cluster, host, end - 10_000 + i * 50L, i < errors ? 503 : 200, 20);
      a.identify(s.endpointId())
          .add(s.timestampMillis, s.outcome, s.latencyMillis, Integer.toString(s.proxyHash));
    }
    return a.snapshot(end - 10_000, end);
  }

  private static void feedWindow(
      KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> h,
      long end,
      int badErrors)
      throws Exception {
    for (int host = 1; host <= 5; host++) {
      h.processElement(new StreamRecord<>(stats(host, end, host == 5 ? badErrors : 0), end - 1));
    }
  }

  @Test
  void window_isScoredWhenTheWatermarkReachesItsEnd_withEveryEndpointComparedToItsPeers()
      throws Exception {
    try (var h = harness()) {
      h.open();
      feedWindow(h, 10_000, 100);
      h.processWatermark(9_998);
      assertThat(h.extractOutputValues()).as("before the watermark reaches 9999").isEmpty();
      h.processWatermark(9_999);
      List<EndpointHealth> health =
          h.extractOutputValues().stream().map(r -> parse(r.value)).toList();
      assertThat(health).as("one record per endpoint").hasSize(5);
      assertThat(health)
          .filteredOn(e -> e.getEndpoint().getAddress().equals("10.0.0.5"))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e.getState())
                      .as("%s", e.getReasonsList())
                      .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY));
      assertThat(health)
          .filteredOn(e -> !e.getEndpoint().getAddress().equals("10.0.0.5"))
          .allSatisfy(e -> assertThat(e.getState()).isEqualTo(HealthState.HEALTH_STATE_HEALTHY));
      assertThat(new String(h.extractOutputValues().get(0).key, StandardCharsets.UTF_8))
          .as("record key")
          .startsWith("reviews/10.0.0.");
      assertThat(h.getSideOutput(ClusterScoringFunction.SERVICE_HEALTH))
          .as("service records")
          .singleElement()
          .satisfies(
              r -> {
                ServiceHealth s = ServiceHealth.parseFrom(r.getValue().value);
                assertThat(s.getEndpoints()).as("endpoints").isEqualTo(5);
                assertThat(new String(r.getValue().key, StandardCharsets.UTF_8))
                    .as("key")
                    .isEqualTo("reviews");
              });
    }
  }

  @Test
  void aWatermarkPassingSeveralWindowsAtOnce_scoresEachOnceInOrder_asOneWindowAtATimeWould()
      throws Exception {
    long[] ends = {10_000, 12_000, 14_000, 16_000};
    List<String> oneAtATime;
    try (var h = harness(fixedClockFunction())) {
      h.open();
      feedWindows(h, ends);
      for (long end : ends) {
        h.processWatermark(end - 1);
      }
      h.processWatermark(40_000);
      oneAtATime = outputsByCluster(h);
    }
    List<String> atOnce;
    List<Long> reviewsHost5Ends;
    try (var h = harness(fixedClockFunction())) {
      h.open();
      feedWindows(h, ends);
      h.processWatermark(40_000);
      atOnce = outputsByCluster(h);
      reviewsHost5Ends =
          h.extractOutputValues().stream()
              .filter(r -> r.value != null)
              .filter(r -> new String(r.key, StandardCharsets.UTF_8).startsWith("reviews/10.0.0.5"))
              .map(r -> parse(r.value).getWindow().getEndUnixMillis())
              .toList();
      assertThat(tombstones(h)).as("each endpoint of both clusters forgotten once").hasSize(10);
    }

    assertThat(reviewsHost5Ends)
        .as("one endpoint's windows, in order")
        .containsExactly(10_000L, 12_000L, 14_000L, 16_000L);
    assertThat(atOnce)
        .as("endpoint and service records per cluster, in order, tombstones included")
        .hasSize(2 * ends.length * (5 + 1) + 2 * (5 + 1))
        .isEqualTo(oneAtATime);
  }

  @Test
  void theFinalWatermark_scoresThePendingWindows() throws Exception {
    // A bounded input's end, or a stop with --drain: the watermark jumps to Long.MAX_VALUE.
    try (var h = harness()) {
      h.open();
      feedWindow(h, 10_000, 100);
      h.processWatermark(Long.MAX_VALUE);
      assertThat(h.extractOutputValues().stream().filter(r -> r.value != null))
          .as("the window's endpoint records")
          .hasSize(5);
    }
  }

  private static ClusterScoringFunction fixedClockFunction() {
    return new ClusterScoringFunction(
        ScoringThresholds.defaults(),
        Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
        10_000);
  }

  /** Two clusters, each window's fifth endpoint failing more than in the window before. */
  private static void feedWindows(
      KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> h, long[] ends)
      throws Exception {
    for (int w = 0; w < ends.length; w++) {
      for (String cluster : List.of("reviews", "ratings")) {
        for (int host = 1; host <= 5; host++) {
          h.processElement(
              new StreamRecord<>(
                  stats(cluster, host, ends[w], host == 5 ? 30 * w : 0), ends[w] - 1));
        }
      }
    }
  }

  /** Each output, endpoint records then service records, with the clusters' outputs apart. */
  private static List<String> outputsByCluster(
      KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> h) {
    List<OutRecord> all = new ArrayList<>(h.extractOutputValues());
    h.getSideOutput(ClusterScoringFunction.SERVICE_HEALTH).forEach(r -> all.add(r.getValue()));
    List<String> described = new ArrayList<>();
    for (String cluster : List.of("reviews", "ratings")) {
      for (OutRecord r : all) {
        String key = new String(r.key, StandardCharsets.UTF_8);
        if (key.equals(cluster) || key.startsWith(cluster + "/")) {
          described.add(
              key
                  + " "
                  + (r.value == null ? "tombstone" : Base64.getEncoder().encodeToString(r.value)));
        }
      }
    }
    return described;
  }

  @Test
  void resultForAnAlreadyScoredWindow_isDroppedAsLate() throws Exception {
    try (var h = harness()) {
      h.open();
      h.processWatermark(20_000);
      feedWindow(h, 10_000, 0);
      h.processWatermark(30_000);
      assertThat(h.extractOutputValues()).as("nothing scored from late results").isEmpty();
    }
  }

  @Test
  void pendingWindows_surviveASnapshotAndRestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.open();
      feedWindow(h, 10_000, 100);
      snapshot = h.snapshot(1L, 1L);
    }
    try (var h = harness()) {
      h.initializeState(snapshot);
      h.open();
      h.processWatermark(9_999);
      assertThat(h.extractOutputValues()).as("endpoint records after the restore").hasSize(5);
    }
  }

  @Test
  void endpointsTracked_countsEachClustersLatestWindow_andForgetsClustersGoneForAWindow()
      throws Exception {
    ClusterScoringFunction function =
        new ClusterScoringFunction(ScoringThresholds.defaults(), Clock.systemUTC(), 10_000);
    try (var h = harness(function)) {
      h.open();
      for (int host = 1; host <= 5; host++) {
        h.processElement(new StreamRecord<>(stats("reviews", host, 10_000, 0), 9_999));
      }
      for (int host = 1; host <= 3; host++) {
        h.processElement(new StreamRecord<>(stats("ratings", host, 10_000, 0), 9_999));
        h.processElement(new StreamRecord<>(stats("ratings", host, 15_000, 0), 14_999));
      }
      h.processWatermark(9_999);
      assertThat(function.endpointsTracked()).as("5 reviews + 3 ratings").isEqualTo(8);
      h.processWatermark(14_999);
      assertThat(function.endpointsTracked())
          .as("reviews last seen 5 s ago, within a window")
          .isEqualTo(8);
      h.processWatermark(20_000);
      assertThat(function.endpointsTracked()).as("reviews without a window for 10 s").isEqualTo(3);
      h.processWatermark(25_000);
      assertThat(function.endpointsTracked()).as("both clusters gone").isZero();
    }
  }

  @Test
  void anEndpointWithoutAScoredWindowForAWindowsLength_getsATombstone_once() throws Exception {
    try (var h = harness()) {
      h.open();
      for (int host = 1; host <= 5; host++) {
        h.processElement(new StreamRecord<>(stats(host, 10_000, 0), 9_999));
      }
      for (int host = 1; host <= 4; host++) {
        h.processElement(new StreamRecord<>(stats(host, 15_000, 0), 14_999));
      }
      h.processWatermark(14_999);
      assertThat(h.extractOutputValues())
          .as("records of both windows, no tombstone within a window of the last")
          .hasSize(9)
          .allMatch(r -> r.value != null);

      h.processWatermark(19_999);
      assertThat(tombstones(h))
          .as("10.0.0.5, last scored in the window ending at 10 s, 10 s later")
          .containsExactly("reviews/10.0.0.5:8080");

      h.processWatermark(24_999);
      assertThat(tombstones(h))
          .as("the others, last scored at 15 s, by the timer of a cluster with no window left")
          .containsExactlyInAnyOrder(
              "reviews/10.0.0.5:8080",
              "reviews/10.0.0.1:8080",
              "reviews/10.0.0.2:8080",
              "reviews/10.0.0.3:8080",
              "reviews/10.0.0.4:8080");
      h.processWatermark(40_000);
      assertThat(tombstones(h)).as("each endpoint forgotten once").hasSize(5);
    }
  }

  @Test
  void windowsPendingAsWholeWindowLists_inASnapshotOfAnEarlierRelease_areScoredAfterTheRestore()
      throws Exception {
    // Written by the cluster stage as of 02b9b17, which kept each pending window
    // as one list: five endpoints of the window ending at 10 s, the fifth failing 100 of its 200
    // requests, the watermark at 5 s.
    OperatorSubtaskState earlier =
        OperatorSnapshotUtil.readStateHandle(
            OperatorSnapshotUtil.getResourceFilename("cluster-scoring-pending-windows.snapshot"));
    try (var h = harness()) {
      h.initializeState(earlier);
      h.open();
      h.processWatermark(9_999);
      List<EndpointHealth> health =
          h.extractOutputValues().stream().map(r -> parse(r.value)).toList();
      assertThat(health).as("the restored window's endpoints, scored").hasSize(5);
      assertThat(health)
          .filteredOn(e -> e.getEndpoint().getAddress().equals("10.0.0.5"))
          .singleElement()
          .satisfies(e -> assertThat(e.getState()).isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY));
      h.processWatermark(30_000);
      assertThat(tombstones(h)).as("and forgotten later, each once").hasSize(5);
    }
  }

  /** 200 healthy requests of {@code host} in subset {@code subset} of reviews. */
  private static EndpointStats subsetStats(String subset, int host, long end) {
    EndpointAggregate a = new EndpointAggregate(1_000);
    a.identify(
        new EndpointId(
            "reviews",
            subset,
            Endpoint.newBuilder().setAddress("10.0.0." + host).setPort(8080).build()));
    for (int i = 0; i < 200; i++) {
      a.add(end - 10_000 + i * 50L, ErrorClass.NONE, 20, "proxy-" + (i % 4));
    }
    return a.snapshot(end - 10_000, end);
  }

  @Test
  void aSubsetWithoutAScoredWindowForAWindowsLength_getsAServiceTombstone_once() throws Exception {
    try (var h = harness()) {
      h.open();
      h.processElement(new StreamRecord<>(subsetStats("v1", 1, 10_000), 9_999));
      h.processElement(new StreamRecord<>(subsetStats("v2", 2, 10_000), 9_999));
      h.processWatermark(9_999);
      assertThat(serviceKeys(h, false))
          .as("a record for the cluster and each subset")
          .containsExactlyInAnyOrder("reviews", "reviews/v1", "reviews/v2");

      // The canary v2 is gone; v1 goes on.
      for (long end = 15_000; end <= 25_000; end += 5_000) {
        h.processElement(new StreamRecord<>(subsetStats("v1", 1, end), end - 1));
        h.processWatermark(end - 1);
      }
      assertThat(serviceKeys(h, true))
          .as("v2, last scored at 10 s, forgotten while the cluster is scored")
          .containsExactly("reviews/v2");

      h.processWatermark(45_000);
      assertThat(serviceKeys(h, true))
          .as("the rest once the cluster went quiet, each once")
          .containsExactlyInAnyOrder("reviews/v2", "reviews/v1", "reviews");
      assertThat(tombstones(h)).as("the endpoints too").hasSize(2);
    }
  }

  private static List<String> serviceKeys(
      KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> h,
      boolean tombstones) {
    return h.getSideOutput(ClusterScoringFunction.SERVICE_HEALTH).stream()
        .map(StreamRecord::getValue)
        .filter(r -> (r.value == null) == tombstones)
        .map(r -> new String(r.key, StandardCharsets.UTF_8))
        .distinct()
        .toList();
  }

  private static List<String> tombstones(
      KeyedOneInputStreamOperatorTestHarness<String, EndpointStats, OutRecord> h) {
    return h.extractOutputValues().stream()
        .filter(r -> r.value == null)
        .map(r -> new String(r.key, StandardCharsets.UTF_8))
        .toList();
  }

  private static EndpointHealth parse(byte[] bytes) {
    try {
      return EndpointHealth.parseFrom(bytes);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
