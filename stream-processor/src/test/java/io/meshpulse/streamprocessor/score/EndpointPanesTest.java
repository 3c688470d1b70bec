package io.meshpulse.streamprocessor.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshpulse.model.v1.Endpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The panes (one a slide) a sliding window is merged from. */
class EndpointPanesTest {
  private static final EndpointId ID =
      new EndpointId("reviews", "v1", Endpoint.newBuilder().setAddress("10.0.0.1").build());

  /** 12 s of traffic: 40 requests a second, 5xx in second 11, latency around 20 ms. */
  private static void feed(EndpointPanes panes, EndpointAggregate reference, long from, long to) {
    Random random = new Random(3);
    for (long ts = 0; ts < 12_000; ts += 25) {
      ErrorClass outcome = ts >= 11_000 && ts % 100 == 0 ? ErrorClass.HTTP_5XX : ErrorClass.NONE;
      double latency = 20 * Math.exp(0.3 * random.nextGaussian());
      String proxy = "sidecar~10.1.0." + (ts / 25 % 7) + "~client.default";
      panes.add(ts, outcome, latency, proxy);
      if (ts >= from && ts < to) {
        reference.add(ts, outcome, latency, proxy);
      }
    }
  }

  @Test
  void recentSpan_isTheLastSlidesCoveringItsDuration_whateverTheSlide() {
    EndpointPanes halfSeconds = new EndpointPanes(10_000, 500).identify(ID);
    feed(halfSeconds, new EndpointAggregate(500).identify(ID), 0, 0);
    // 40 requests a second, every fourth request in second 11 a 5xx (10 a second there)
    RecentSlide threeSeconds = halfSeconds.window(12_000, 3_000).recent();
    assertThat(List.of(threeSeconds.spanRequests(), threeSeconds.spanErrors()))
        .as("3 s of 500 ms slides (requests, errors)")
        .isEqualTo(List.of(120L, 10L));
    RecentSlide oneAndAHalf = halfSeconds.window(12_000, 1_500).recent();
    assertThat(List.of(oneAndAHalf.spanRequests(), oneAndAHalf.spanErrors()))
        .as("1.5 s (requests, errors)")
        .isEqualTo(List.of(60L, 10L));
    assertThat(halfSeconds.window(12_000, 100).recent().spanRequests())
        .as("a span shorter than a slide is the last slide")
        .isEqualTo(20);
  }

  @Test
  void window_mergedFromPanes_equalsOneAggregateOverTheSameSpan() {
    EndpointPanes panes = new EndpointPanes(10_000, 1_000).identify(ID);
    EndpointAggregate reference = new EndpointAggregate(1_000).identify(ID);
    feed(panes, reference, 2_000, 12_000);

    EndpointStats fromPanes = panes.window(12_000);
    EndpointStats expected = reference.snapshot(2_000, 12_000);
    assertThat(fromPanes).as("window [2 s, 12 s)").isNotNull();
    assertThat(fromPanes.counts()).as("counts").isEqualTo(expected.counts());
    RecentSlide recent = fromPanes.recent();
    RecentSlide slide = expected.recent();
    assertThat(List.of(recent.requests(), recent.errors(), recent.latencyCount()))
        .as("last slide counts")
        .isEqualTo(List.of(slide.requests(), slide.errors(), slide.latencyCount()));
    assertThat(recent.latencyMillis()).as("last slide latencies").isEqualTo(slide.latencyMillis());
    assertThat(recent.p50Millis()).as("last slide p50").isEqualTo(slide.p50Millis());
    assertThat(recent.p90Millis()).as("last slide p90").isEqualTo(slide.p90Millis());
    EndpointAggregate span = new EndpointAggregate(1_000).identify(ID);
    feed(new EndpointPanes(10_000, 1_000).identify(ID), span, 9_000, 12_000);
    assertThat(List.of(recent.spanRequests(), recent.spanErrors()))
        .as("last three slides (requests, errors)")
        .isEqualTo(
            List.of(
                span.snapshot(9_000, 12_000).requests(),
                span.snapshot(9_000, 12_000).counts().errors()));

    assertThat(recent.spanRequests()).as("three slides of 40 requests").isEqualTo(120);

    assertThat(fromPanes.reportingProxies()).as("proxies").isEqualTo(7);
    assertThat(fromPanes.p99Millis()).as("p99").isEqualTo(expected.p99Millis());
    assertThat(fromPanes.p50Millis()).as("p50").isEqualTo(expected.p50Millis());
    assertThat(fromPanes.windowStartMillis()).as("start").isEqualTo(2_000);
  }

  @Test
  void eviction_keepsOnlyThePanesOfLaterWindows() {
    EndpointPanes panes = new EndpointPanes(10_000, 1_000).identify(ID);
    feed(panes, new EndpointAggregate(1_000), 0, 0);
    panes.evictThrough(10_000);
    assertThat(panes.firstWindowEndMillis()).as("first pane left is [1 s, 2 s)").isEqualTo(2_000);
    panes.evictThrough(21_000);
    assertThat(panes.isEmpty()).as("every pane was emitted in its last window").isTrue();
    assertThat(panes.window(21_000)).as("no window without requests").isNull();
  }

  @Test
  void panes_surviveTheirCompactBinaryForm() throws IOException {
    EndpointPanes panes = new EndpointPanes(10_000, 1_000).identify(ID);
    feed(panes, new EndpointAggregate(1_000), 0, 0);
    panes.add(11_500, ErrorClass.CONNECTION_FAILURE, 0, "p");
    panes.add(11_600, ErrorClass.TIMEOUT, 0.0, "p");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    panes.writeTo(new DataOutputStream(bytes));
    EndpointPanes back =
        EndpointPanes.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

    EndpointStats before = panes.window(12_000);
    EndpointStats after = back.window(12_000);
    assertThat(after.id()).as("identity").isEqualTo(ID);
    assertThat(after.counts()).as("counts").isEqualTo(before.counts());
    assertThat(after.recent()).as("last slide").isEqualTo(before.recent());
    assertThat(after.p99Millis()).as("p99").isEqualTo(before.p99Millis());
    assertThat(after.p50Millis()).as("p50").isEqualTo(before.p50Millis());
    assertThat(after.reportingProxies()).as("proxies").isEqualTo(before.reportingProxies());
    assertThat(bytes.size() / 12.0)
        .as("bytes per 1 s pane of 40 requests (counts, 8 proxies, sparse sketch)")
        .isLessThan(200);
  }

  @Test
  void copy_isIndependentOfTheOriginal() {
    EndpointPanes panes = new EndpointPanes(10_000, 1_000).identify(ID);
    panes.add(500, ErrorClass.NONE, 10, "p");
    EndpointPanes copy = panes.copy();
    panes.add(600, ErrorClass.HTTP_5XX, 10, "q");
    assertThat(copy.window(1_000).requests()).as("requests in the copy").isEqualTo(1);
    assertThat(panes.window(1_000).requests()).as("requests in the original").isEqualTo(2);
    assertThat(copy.window(1_000).p50Millis()).as("p50").isCloseTo(10, within(0.2));
  }

  @Test
  void aPaneDroppedByEviction_isOpenedAgain_byTheNextRequestInItsSlide() {
    EndpointPanes panes = new EndpointPanes(2_000, 1_000).identify(ID);
    assertThat(panes.add(500, ErrorClass.NONE, 10, 1)).as("first request opens pane 0").isTrue();
    assertThat(panes.add(600, ErrorClass.NONE, 10, 1)).as("second stays in pane 0").isFalse();
    assertThat(panes.add(1_500, ErrorClass.NONE, 10, 1)).as("pane 1 opens").isTrue();
    assertThat(panes.add(700, ErrorClass.HTTP_5XX, 10, 1)).as("back in pane 0").isFalse();
    EndpointStats window = panes.window(2_000);
    assertThat(window).as("window [0, 2000)").isNotNull();
    assertThat(window.requests()).as("requests in both panes").isEqualTo(4);
    panes.evictThrough(2_000);
    assertThat(panes.add(800, ErrorClass.NONE, 10, 1)).as("pane 0 was dropped").isTrue();
    assertThat(panes.window(2_000).requests()).as("only the new request in pane 0").isEqualTo(2);
  }
}
