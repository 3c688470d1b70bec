package io.meshpulse.streamprocessor.job;

import static io.meshpulse.streamprocessor.job.TestSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.streamprocessor.io.Sample;
import io.meshpulse.streamprocessor.score.EndpointStats;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-endpoint window stage of the real topology, driven by Flink's operator harness. */
class EndpointWindowsHarnessTest {
  private static final OutputTag<Sample> LATE = new OutputTag<>("late") {};

  private KeyedOneInputStreamOperatorTestHarness<Long, Sample, EndpointStats> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = harness(Duration.ofSeconds(10), Duration.ofSeconds(1));
    harness.open();
  }

  @SuppressWarnings("unchecked") // the transformation's key type is Long by construction
  private static KeyedOneInputStreamOperatorTestHarness<Long, Sample, EndpointStats> harness(
      Duration size, Duration slide) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DataStream<Sample> input = env.fromData(new Sample());
    SingleOutputStreamOperator<EndpointStats> windows =
        HealthJob.endpointWindows(input, size, slide, 3_000, LATE);
    OneInputTransformation<Sample, EndpointStats> transformation =
        (OneInputTransformation<Sample, EndpointStats>) windows.getTransformation();
    return new KeyedOneInputStreamOperatorTestHarness<>(
        transformation.getOperatorFactory(),
        s -> s.key,
        org.apache.flink.api.common.typeinfo.Types.LONG);
  }

  /**
   * Runs a busy endpoint (a request every 10 ms from 0 to 10 s) under {@code before}, snapshots at
   * watermark 4999, restores into {@code after}, feeds 10 s to 12 s and returns what {@code after}
   * emits up to watermark 11999.
   */
  private static List<EndpointStats> restoredWindows(Duration[] before, Duration[] after)
      throws Exception {
    OperatorSubtaskState snapshot;
    try (var first = harness(before[0], before[1])) {
      first.open();
      for (long ts = 0; ts < 10_000; ts += 10) {
        first.processElement(sample("reviews", 1, ts, 200, 20), ts);
      }
      first.processWatermark(4_999);
      snapshot = first.snapshot(1L, 1L);
    }
    try (var restored = harness(after[0], after[1])) {
      restored.initializeState(snapshot);
      restored.open();
      for (long ts = 10_000; ts < 12_000; ts += 10) {
        restored.processElement(sample("reviews", 1, ts, 200, 20), ts);
      }
      restored.processWatermark(11_999);
      return restored.extractOutputValues();
    }
  }

  @Test
  void restoreWithALargerWindow_dropsTheSavedState_andEmitsWindowsOfTheNewSize() throws Exception {
    List<EndpointStats> out =
        restoredWindows(
            new Duration[] {Duration.ofSeconds(10), Duration.ofMillis(500)},
            new Duration[] {Duration.ofSeconds(20), Duration.ofMillis(500)});
    assertThat(out).as("windows after the restore").isNotEmpty();
    assertThat(out)
        .as("every window spans the configured 20 s")
        .allSatisfy(
            s ->
                assertThat(s.windowStartMillis())
                    .as("start of the window ending %d", s.windowEndMillis())
                    .isEqualTo(s.windowEndMillis() - 20_000));
    assertThat(out)
        .filteredOn(s -> s.windowEndMillis() == 12_000)
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.requests())
                    .as("only the requests since the restore (the old state was dropped)")
                    .isEqualTo(200));
  }

  @Test
  void restoreWithAShorterSlide_judgesTheLastSlideOfTheNewSlide() throws Exception {
    List<EndpointStats> out =
        restoredWindows(
            new Duration[] {Duration.ofSeconds(10), Duration.ofSeconds(1)},
            new Duration[] {Duration.ofSeconds(10), Duration.ofMillis(500)});
    assertThat(out)
        .as("windows ending on the 500 ms grid")
        .extracting(EndpointStats::windowEndMillis)
        .contains(11_500L, 12_000L);
    assertThat(out)
        .filteredOn(s -> s.windowEndMillis() == 11_500)
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.recentRequests())
                    .as("requests in the last slide [11000, 11500)")
                    .isEqualTo(50));
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private void feed(int host, long ts, int status, long latency) throws Exception {
    harness.processElement(sample("reviews", host, ts, status, latency), ts);
  }

  @Test
  void window_firesOnlyWhenTheWatermarkPassesItsEnd() throws Exception {
    for (long ts = 0; ts < 1_000; ts += 10) {
      feed(1, ts, ts >= 900 ? 503 : 200, 20);
    }
    harness.processWatermark(998);
    assertThat(harness.extractOutputValues())
        .as("output before the watermark reaches 999")
        .isEmpty();

    harness.processWatermark(999);
    List<EndpointStats> out = harness.extractOutputValues();
    assertThat(out).as("the window ending at 1000").hasSize(1);
    EndpointStats stats = out.get(0);
    assertThat(stats.windowEndMillis()).as("window end").isEqualTo(1_000);
    assertThat(stats.windowStartMillis()).as("window start").isEqualTo(-9_000);
    assertThat(stats.requests()).as("requests").isEqualTo(100);
    assertThat(stats.counts().http5xx()).as("5xx").isEqualTo(10);
    assertThat(stats.recentErrors()).as("errors in the last slide").isEqualTo(10);
    assertThat(stats.reportingProxies()).as("proxies").isEqualTo(3);
    assertThat(stats.id().key()).as("endpoint key").isEqualTo("reviews/10.0.0.1:8080");
    List<StreamRecord<? extends EndpointStats>> records = harness.extractOutputStreamRecords();
    assertThat(records.get(0).getTimestamp())
        .as("event time of the result = window end - 1")
        .isEqualTo(999);
  }

  @Test
  void eachRecord_countsInTenSlidingWindows_oneResultPerSlide() throws Exception {
    feed(1, 500, 200, 20);
    feed(2, 500, 200, 20);
    harness.processWatermark(20_000);
    List<EndpointStats> out = harness.extractOutputValues();
    assertThat(out).as("2 endpoints × 10 windows").hasSize(20);
    assertThat(out)
        .extracting(EndpointStats::windowEndMillis)
        .as("window ends")
        .containsOnly(
            1_000L, 2_000L, 3_000L, 4_000L, 5_000L, 6_000L, 7_000L, 8_000L, 9_000L, 10_000L);
    assertThat(out)
        .filteredOn(s -> s.windowEndMillis() == 1_000)
        .as("recent counts in the window whose last slide holds the record")
        .allSatisfy(s -> assertThat(s.recentRequests()).isEqualTo(1));
    assertThat(out)
        .filteredOn(s -> s.windowEndMillis() == 2_000)
        .as("a window whose last slide is empty")
        .allSatisfy(s -> assertThat(s.recentRequests()).isZero());
  }

  @Test
  void lateRecord_goesToTheLateOutput_andChangesNoWindow() throws Exception {
    feed(1, 10_500, 200, 20);
    harness.processWatermark(25_000);
    int results = harness.extractOutputValues().size();
    feed(1, 5_000, 503, 20);
    harness.processWatermark(40_000);
    assertThat(harness.extractOutputValues())
        .as("no window fired for the late record")
        .hasSize(results);
    assertThat(harness.getSideOutput(LATE)).as("late output").hasSize(1);
    assertThat(harness.extractOutputValues())
        .as("no 5xx was counted")
        .allSatisfy(s -> assertThat(s.counts().http5xx()).isZero());
  }

  @Test
  void outOfOrderRecord_withinTheWatermarkBound_stillCounts() throws Exception {
    feed(1, 1_400, 200, 20);
    harness.processWatermark(899); // what a 500 ms bound emits after seeing 1400
    feed(1, 950, 503, 20); // 450 ms out of order, its window [.., 1000) is still open
    harness.processWatermark(999);
    assertThat(harness.extractOutputValues())
        .as("the window ending at 1000")
        .singleElement()
        .satisfies(s -> assertThat(s.counts().http5xx()).as("the out-of-order 5xx").isEqualTo(1));
  }
}
