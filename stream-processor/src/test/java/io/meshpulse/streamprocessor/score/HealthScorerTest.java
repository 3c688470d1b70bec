package io.meshpulse.streamprocessor.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class HealthScorerTest {
  private final ClusterScorer scorer =
      new ClusterScorer(new HealthScorer(ScoringThresholds.defaults()));

  /** Nine peers, endpoints 1 to 9 as {@code peer} builds them, then {@code tenth}. */
  private static List<EndpointStats> ninePeersPlus(
      IntFunction<EndpointStats> peer, EndpointStats tenth) {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      all.add(peer.apply(i));
    }
    all.add(tenth);
    return all;
  }

  private static List<EndpointStats> nineHealthyPlus(EndpointStats tenth) {
    return ninePeersPlus(i -> Traffic.endpoint(i).steady(500, 0.004, 20).stats(), tenth);
  }

  private EndpointHealth verdictOf(ClusterHealth health, String address) {
    return health.endpoints().stream()
        .filter(e -> e.getEndpoint().getAddress().equals(address))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void score_fallsMonotonically_asErrorRateRises() {
    List<Double> scores = new ArrayList<>();
    for (double rate = 0; rate <= 0.5; rate += 0.02) {
      ClusterHealth health =
          scorer.score(
              "reviews", nineHealthyPlus(Traffic.endpoint(10).steady(500, rate, 20).stats()), 0);
      scores.add(verdictOf(health, "10.0.0.10").getScore());
    }
    assertThat(scores)
        .as("scores for error rates 0 %%..50 %%: %s", scores)
        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(scores.get(0)).as("score at 0 %% errors").isEqualTo(1.0);
    assertThat(scores.get(scores.size() - 1)).as("score at 50 %% errors").isEqualTo(0.0);
    assertThat(scores.stream().distinct().count())
        .as("the score moves between the ends, not only a step")
        .isGreaterThan(4);
  }

  @Test
  void score_fallsMonotonically_asLatencyRises() {
    List<Double> scores = new ArrayList<>();
    for (double factor = 1; factor <= 6; factor += 0.25) {
      ClusterHealth health =
          scorer.score(
              "reviews",
              nineHealthyPlus(Traffic.endpoint(10).steady(500, 0.004, 20 * factor).stats()),
              0);
      scores.add(verdictOf(health, "10.0.0.10").getScore());
    }
    assertThat(scores)
        .as("scores for latency ×1..×6: %s", scores)
        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(scores.get(0)).as("score at ×1").isEqualTo(1.0);
    assertThat(scores.get(scores.size() - 1)).as("score at ×6").isEqualTo(0.0);
    assertThat(scores.stream().distinct().count()).as("graded, not a step").isGreaterThan(4);
  }

  private static List<EndpointStats> ninePeersAtTwoPerMillePlus(EndpointStats tenth) {
    return ninePeersPlus(i -> Traffic.endpoint(i).steady(1200, 0.002, 20).paneStats(), tenth);
  }

  @Test
  void aFourPercentFault_isDegradedOnceThreeSlidesShowIt_butOneSlideIsNotEvidenceEnough() {
    // 120 requests a second, peers at 0.2 %: one slide holds 5 errors of 120 (10.5 nats of
    // evidence, below the 16 needed), three slides 15 of 360 (32 nats).
    EndpointStats oneSlide =
        Traffic.endpoint(10)
            .add(0, 9_000, 1080, 0.002, ErrorClass.HTTP_5XX, 20)
            .add(9_000, 10_000, 120, 0.042, ErrorClass.HTTP_5XX, 20)
            .paneStats();
    EndpointStats threeSlides =
        Traffic.endpoint(10)
            .add(0, 7_000, 840, 0.002, ErrorClass.HTTP_5XX, 20)
            .add(7_000, 10_000, 360, 0.042, ErrorClass.HTTP_5XX, 20)
            .paneStats();
    assertThat(threeSlides.recent().spanErrors())
        .as("errors of the last three slides")
        .isEqualTo(15);

    EndpointHealth early =
        verdictOf(scorer.score("reviews", ninePeersAtTwoPerMillePlus(oneSlide), 0), "10.0.0.10");
    EndpointHealth later =
        verdictOf(scorer.score("reviews", ninePeersAtTwoPerMillePlus(threeSlides), 0), "10.0.0.10");

    assertThat(early.getState())
        .as("after one slide of the fault: %s", early.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
    assertThat(later.getState())
        .as("after three slides of the fault: %s", later.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_DEGRADED);
    assertThat(later.getReasonsList())
        .as("reasons")
        .anyMatch(r -> r.matches("last 3 s: error rate 4\\.2 % vs peers 0\\.[23] % \\(n=360\\)"));
  }

  @Test
  void peersWithoutASingleError_doNotMakeTwoErrorsDecisive() {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      all.add(Traffic.endpoint(i).steady(300, 0.0, 20).paneStats());
    }
    all.add(Traffic.endpoint(10).steady(300, 2.0 / 300, 20).paneStats());
    EndpointHealth verdict = verdictOf(scorer.score("reviews", all, 0), "10.0.0.10");
    assertThat(verdict.getPeerErrorRate()).as("the peers' error rate").isEqualTo(0.0);
    assertThat(verdict.getState())
        .as("2 errors in 300 against error-free peers: %s", verdict.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
  }

  @Test
  void aSubsetFailingAsAWhole_showsInItsServiceRecordInTheFaultsFirstSlide() {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      all.add(Traffic.endpoint("v1", i).steady(1200, 0.002, 20).paneStats());
    }
    for (int i = 9; i <= 10; i++) {
      all.add(
          Traffic.endpoint("v3", i)
              .add(0, 9_000, 1080, 0.002, ErrorClass.HTTP_5XX, 20)
              .add(9_000, 10_000, 120, 0.3, ErrorClass.HTTP_5XX, 20)
              .paneStats());
    }
    ClusterHealth health = scorer.score("reviews", all, 0);
    ServiceHealth v3 =
        health.services().stream()
            .filter(h -> h.getSubset().equals("v3"))
            .findFirst()
            .orElseThrow();
    assertThat(v3.getErrorRate()).as("v3's error rate over the window").isLessThan(0.04);
    assertThat(v3.getState())
        .as("v3 after one slide at 30 %% errors: %s", v3.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(v3.getReasonsList()).as("reasons").contains("last slide: error rate 30.0 % (n=240)");
    assertThat(health.services().stream().filter(h -> h.getSubset().equals("v1")))
        .as("v1")
        .allSatisfy(h -> assertThat(h.getState()).isEqualTo(HealthState.HEALTH_STATE_HEALTHY));
    assertThat(health.endpointKeys())
        .as("each endpoint's record key, at its position")
        .isEqualTo(health.endpoints().stream().map(io.meshpulse.model.RecordKeys::of).toList())
        .doesNotHaveDuplicates()
        .hasSize(6);
  }

  @Test
  void oneFailedRequestInAQuietSubsetsLastSlide_isNoEvidenceAgainstTheSubset() {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      all.add(Traffic.endpoint("v1", i).steady(1200, 0.002, 20).paneStats());
    }
    // A canary at 1.5 requests a second per endpoint: 30 requests in the window, and the last
    // slide's only request failed (Wilson's lower bound alone: 10 %, 9 points over tolerance).
    all.add(
        Traffic.endpoint("v3", 9)
            .add(0, 9_500, 14, 0.0, ErrorClass.HTTP_5XX, 20)
            .add(9_500, 10_000, 1, 1.0, ErrorClass.HTTP_5XX, 20)
            .paneStats());
    all.add(
        Traffic.endpoint("v3", 10).add(0, 10_000, 15, 0.0, ErrorClass.HTTP_5XX, 20).paneStats());

    ServiceHealth v3 =
        scorer.score("reviews", all, 0).services().stream()
            .filter(h -> h.getSubset().equals("v3"))
            .findFirst()
            .orElseThrow();

    assertThat(v3.getRequests()).as("v3's requests in the window").isEqualTo(30);
    assertThat(v3.getErrors()).as("v3's errors").isEqualTo(1);
    assertThat(v3.getState())
        .as("v3 after one failed request: %s", v3.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
    assertThat(v3.getScore()).as("score").isEqualTo(1.0);
  }

  @Test
  void anEndpointReachedThroughTwoSubsetsClusters_getsOneRecord_theWorseVerdict() {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      all.add(Traffic.endpoint("v1", i).steady(1200, 0.002, 20).paneStats());
    }
    // Endpoint 4 also takes a gateway's traffic through the whole service's cluster
    // (outbound|9080||reviews), with endpoints 5 and 6 of another subset.
    all.add(Traffic.endpoint("", 4).steady(100, 0.0, 20).paneStats());
    all.add(Traffic.endpoint("", 5).steady(100, 0.0, 20).paneStats());
    all.add(Traffic.endpoint("", 6).steady(100, 0.0, 20).paneStats());

    ClusterHealth health = scorer.score("reviews", all, 0);

    assertThat(health.endpointKeys()).as("record keys").doesNotHaveDuplicates().hasSize(6);
    assertThat(health.endpoints())
        .as("endpoint 4's one record")
        .filteredOn(e -> e.getEndpoint().getAddress().equals("10.0.0.4"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getSubset()).as("from its subset's 1200 requests").isEqualTo("v1");
              assertThat(e.getRequests()).as("requests").isEqualTo(1200);
            });
    ServiceHealth whole = health.services().get(0);
    assertThat(whole.getSubset()).as("the first service record's subset").isEmpty();
    assertThat(whole.getEndpoints()).as("endpoints of the whole cluster, each once").isEqualTo(6);
    assertThat(whole.getEndpointsHealthy()).as("healthy endpoints").isEqualTo(6);
    assertThat(whole.getRequests()).as("requests through both paths").isEqualTo(4 * 1200 + 300);

    // Failing on the whole service's path only: that verdict is kept, though on fewer requests.
    List<EndpointStats> failing = new ArrayList<>(all.subList(0, 4));
    failing.add(Traffic.endpoint("", 4).steady(400, 0.5, 20).paneStats());
    failing.add(Traffic.endpoint("", 5).steady(400, 0.0, 20).paneStats());
    failing.add(Traffic.endpoint("", 6).steady(400, 0.0, 20).paneStats());
    ClusterHealth failingHealth = scorer.score("reviews", failing, 0);
    assertThat(failingHealth.services().get(0))
        .as("the whole cluster's record")
        .satisfies(
            r -> {
              assertThat(r.getEndpoints()).as("endpoints").isEqualTo(6);
              assertThat(r.getEndpointsUnhealthy()).as("UNHEALTHY endpoints").isEqualTo(1);
              assertThat(r.getEndpointsHealthy()).as("HEALTHY endpoints").isEqualTo(5);
              assertThat(r.getReasonsList())
                  .as("reasons")
                  .contains("1 of 6 judged endpoints UNHEALTHY, 0 DEGRADED");
            });
    assertThat(failingHealth.endpoints())
        .as("endpoint 4's one record")
        .filteredOn(e -> e.getEndpoint().getAddress().equals("10.0.0.4"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getSubset()).as("subset").isEmpty();
              assertThat(e.getState()).as("state").isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
            });
  }

  @Test
  void oneEndpointOfASubsetRefusingEverything_isAnOutlier_notASubsetFailingAsAWhole() {
    List<EndpointStats> all = new ArrayList<>();
    all.add(
        Traffic.endpoint("v1", 1)
            .add(0, 9_000, 1080, 0.001, ErrorClass.HTTP_5XX, 20)
            .add(9_000, 10_000, 120, 1.0, ErrorClass.CONNECTION_FAILURE, 20)
            .paneStats());
    for (int i = 2; i <= 4; i++) {
      all.add(Traffic.endpoint("v1", i).steady(1200, 0.001, 20).paneStats());
    }
    for (int i = 9; i <= 10; i++) {
      all.add(Traffic.endpoint("v3", i).steady(1200, 0.001, 20).paneStats());
    }
    ClusterHealth health = scorer.score("reviews", all, 0);
    EndpointHealth bad = verdictOf(health, "10.0.0.1");
    assertThat(bad.getState())
        .as("the refusing endpoint: %s", bad.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    ServiceHealth v1 =
        health.services().stream()
            .filter(h -> h.getSubset().equals("v1"))
            .findFirst()
            .orElseThrow();
    assertThat(v1.getErrors()).as("v1's errors, the outlier's included").isGreaterThan(120);
    assertThat(v1.getState())
        .as("v1, one of four endpoints out: %s", v1.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_DEGRADED);
    assertThat(v1.getReasonsList())
        .as("reasons")
        .containsExactly("1 of 4 judged endpoints UNHEALTHY, 0 DEGRADED");

    // The same slide with the three others failing too: judged on all of its traffic.
    all.clear();
    for (int i = 1; i <= 4; i++) {
      all.add(
          Traffic.endpoint("v1", i)
              .add(0, 9_000, 1080, 0.001, ErrorClass.HTTP_5XX, 20)
              .add(9_000, 10_000, 120, 1.0, ErrorClass.CONNECTION_FAILURE, 20)
              .paneStats());
    }
    for (int i = 9; i <= 10; i++) {
      all.add(Traffic.endpoint("v3", i).steady(1200, 0.001, 20).paneStats());
    }
    ServiceHealth alike =
        scorer.score("reviews", all, 0).services().stream()
            .filter(h -> h.getSubset().equals("v1"))
            .findFirst()
            .orElseThrow();
    assertThat(alike.getState())
        .as("v1, every endpoint refusing: %s", alike.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
  }

  @Test
  void lowVolumeEndpoint_isUnknown_notUnhealthy_evenWhenEveryRequestFailed() {
    ClusterHealth health =
        scorer.score(
            "reviews", nineHealthyPlus(Traffic.endpoint(10).steady(8, 1.0, 20).stats()), 0);
    EndpointHealth verdict = verdictOf(health, "10.0.0.10");
    assertThat(verdict.getState())
        .as("8 requests, all failed")
        .isEqualTo(HealthState.HEALTH_STATE_UNKNOWN);
    assertThat(verdict.getReasonsList())
        .as("reasons")
        .containsExactly("too few requests to judge (n=8 < 20)");
    assertThat(verdict.getConfidence()).as("confidence at n=8").isLessThan(0.5);
  }

  @Test
  void modestVolume_isJudgedWithAnHonestBound_andNotFlaggedForOneUnluckyError() {
    ClusterHealth health =
        scorer.score(
            "reviews", nineHealthyPlus(Traffic.endpoint(10).steady(30, 1.0 / 30, 20).stats()), 0);
    assertThat(verdictOf(health, "10.0.0.10").getState())
        .as("1 error in 30 requests vs peers at 0.4 %")
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
  }

  @Test
  void oneBadEndpointAmongTen_isUnhealthy_whileTheOtherNineStayHealthy() {
    ClusterHealth health =
        scorer.score(
            "reviews", nineHealthyPlus(Traffic.endpoint(10).steady(1000, 0.12, 20).stats()), 0);
    EndpointHealth bad = verdictOf(health, "10.0.0.10");
    assertThat(bad.getState())
        .as("the bad endpoint: %s", bad.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(bad.getReasonsList())
        .as("its reasons")
        .contains("error rate 12.0 % vs peers 0.4 % (n=1000)");
    assertThat(bad.getConfidence()).as("confidence at n=1000 with 9 peers").isGreaterThan(0.9);
    assertThat(health.endpoints())
        .filteredOn(e -> !e.getEndpoint().getAddress().equals("10.0.0.10"))
        .as("the other nine")
        .hasSize(9)
        .allSatisfy(
            e ->
                assertThat(e.getState())
                    .as("%s: %s", e.getEndpoint().getAddress(), e.getReasonsList())
                    .isEqualTo(HealthState.HEALTH_STATE_HEALTHY));
    ServiceHealth service = health.services().get(0);
    assertThat(service.getState())
        .as("one outlier is not a service event: %s", service.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
    assertThat(service.getEndpointsUnhealthy()).as("unhealthy endpoints counted").isEqualTo(1);
  }

  @Test
  void tripledP99WithoutErrors_isUnhealthy_withTheRatioInItsReasons() {
    ClusterHealth health =
        scorer.score(
            "reviews", nineHealthyPlus(Traffic.endpoint(10).steady(500, 0, 60).stats()), 0);
    EndpointHealth slow = verdictOf(health, "10.0.0.10");
    assertThat(slow.getState())
        .as("p99 3× peers: %s", slow.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(slow.getReasonsList())
        .as("reasons")
        .anyMatch(r -> r.matches("p99 \\d+ ms = [23]\\.\\d× peers' median \\(\\d+ ms\\)"));
    assertThat(slow.getReasonsList())
        .as("the evidence behind the p99")
        .anyMatch(
            r ->
                r.matches(
                    "4[6-9]\\d of 500 requests slower than the peers' median p99 \\(peers .*"));
    assertThat(health.endpoints())
        .filteredOn(e -> e != slow)
        .as("the others")
        .allSatisfy(e -> assertThat(e.getState()).isEqualTo(HealthState.HEALTH_STATE_HEALTHY));
  }

  @Test
  void hardFailureStartingInTheLastSlide_isUnhealthyInThatVeryWindow() {
    // 9.6 s of clean traffic, then 0.4 s of connection failures: 20 bad of 500 in the window.
    EndpointStats onset =
        Traffic.endpoint(10)
            .add(0, 9_600, 480, 0, ErrorClass.NONE, 20)
            .add(9_600, 10_000, 20, 1.0, ErrorClass.CONNECTION_FAILURE, 20)
            .stats();
    EndpointHealth verdict =
        verdictOf(scorer.score("reviews", nineHealthyPlus(onset), 0), "10.0.0.10");
    assertThat(verdict.getState())
        .as("reasons %s", verdict.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(verdict.getConnectionFailures()).as("connection failures").isEqualTo(20);
    assertThat(verdict.getReasonsList())
        .as("reasons")
        .anyMatch(r -> r.startsWith("last slide: error rate"));
  }

  @Test
  void latencyTriplingInTheLastSlideOnly_isUnhealthyInThatVeryWindow() {
    EndpointStats onset =
        Traffic.endpoint(10)
            .add(0, 9_000, 450, 0, ErrorClass.NONE, 20)
            .add(9_000, 10_000, 50, 0, ErrorClass.NONE, 60)
            .stats();
    EndpointHealth verdict =
        verdictOf(scorer.score("reviews", nineHealthyPlus(onset), 0), "10.0.0.10");
    assertThat(verdict.getState())
        .as("reasons %s", verdict.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(verdict.getReasonsList())
        .as("reasons")
        .anyMatch(r -> r.startsWith("last slide: p50 "));
  }

  @Test
  void oneStraySlowRequestInTheLastSlide_isNoLatencyRegression() {
    EndpointStats stray =
        Traffic.endpoint(10)
            .add(0, 9_990, 499, 0, ErrorClass.NONE, 20)
            .add(9_990, 10_000, 1, 0, ErrorClass.NONE, 2_000)
            .stats();
    EndpointHealth verdict =
        verdictOf(scorer.score("reviews", nineHealthyPlus(stray), 0), "10.0.0.10");
    assertThat(verdict.getState())
        .as("reasons %s", verdict.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
  }

  @Test
  void twoSlowRequestsOfAHundred_areNoWindowP99Regression() {
    // A new endpoint's first window: 100 requests, so its p99 is about its slowest. Two slow ones
    // make that p99 2.7× the peers', but they and the two healthy requests above the peers' p99
    // are 4 of 100, against 1 % expected: 2.6 nats, no evidence.
    EndpointStats young =
        Traffic.endpoint(10)
            .add(0, 10_000, 98, 0, ErrorClass.NONE, 20)
            .add(5_000, 5_010, 2, 0, ErrorClass.NONE, 100)
            .stats();
    EndpointHealth verdict =
        verdictOf(scorer.score("reviews", nineHealthyPlus(young), 0), "10.0.0.10");
    assertThat(verdict.getState())
        .as("reasons %s", verdict.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);

    ClusterScorer ungated =
        new ClusterScorer(
            new HealthScorer(ScoringThresholds.builder().latencyEvidence(0.001).build()));
    EndpointHealth alone =
        verdictOf(ungated.score("reviews", nineHealthyPlus(young), 0), "10.0.0.10");
    assertThat(alone.getState())
        .as("by its p99 alone: %s", alone.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(alone.getReasonsList())
        .as("reasons")
        .anyMatch(
            r -> r.matches("[2-5] of 100 requests slower than the peers' median p99 \\(peers .*"));
  }

  @Test
  void aHealthyPairsWindowP99s_areNoRegression_thoughOnePeersP99IsANoisyReference() {
    // Two endpoints alike, 140 requests each in the window (σ = 0.6): each one's only peer has a
    // p99 from about its two slowest requests, now and then far too low. Against the 1 % a peer
    // shows in theory, the other's slow requests then look like evidence; against the peer's own
    // counts they are not. Without the second test, 3 of these 8,000 endpoints were not HEALTHY.
    int windows = 4_000;
    int judgedNotHealthy = 0;
    int byTheOneSampleTestAlone = 0;
    for (int w = 0; w < windows; w++) {
      List<EndpointStats> pair =
          List.of(
              Traffic.endpoint(2 * w + 1).sigma(0.6).steady(140, 0, 20).stats(),
              Traffic.endpoint(2 * w + 2).sigma(0.6).steady(140, 0, 20).stats());
      for (EndpointHealth e : scorer.score("details", pair, 0).endpoints()) {
        if (e.getState() != HealthState.HEALTH_STATE_HEALTHY) {
          judgedNotHealthy++;
        }
      }
      for (EndpointStats self : pair) {
        EndpointStats peer = pair.get(0) == self ? pair.get(1) : pair.get(0);
        long slow = self.latency().countAbove(peer.p99Millis());
        if (self.p99Millis() > 1.5 * peer.p99Millis()
            && self.p99Millis() - peer.p99Millis() >= 5
            && Evidence.nats(slow, self.latency().count(), HealthScorer.P99_SHARE) >= 16) {
          byTheOneSampleTestAlone++;
        }
      }
    }
    assertThat(byTheOneSampleTestAlone)
        .as("endpoints of %d pairs the 1 %% test alone would penalise", windows)
        .isGreaterThan(5);
    assertThat(judgedNotHealthy).as("endpoints of %d healthy pairs judged", windows).isZero();
  }

  @Test
  void aWindowP99Regression_isStillSeen_againstOnePeer() {
    // The same pair, one endpoint's latency ×3 over its whole window: evidence against one peer's
    // counts as well as against the 1 %.
    List<EndpointStats> pair =
        List.of(
            Traffic.endpoint(1).sigma(0.6).steady(140, 0, 20).stats(),
            Traffic.endpoint(2).sigma(0.6).steady(140, 0, 60).stats());
    EndpointHealth slow = verdictOf(scorer.score("details", pair, 0), "10.0.0.2");
    assertThat(slow.getState())
        .as("reasons %s", slow.getReasonsList())
        .isIn(HealthState.HEALTH_STATE_DEGRADED, HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(slow.getReasonsList())
        .as("reasons")
        .anyMatch(
            r ->
                r.matches(
                    "\\d+ of 140 requests slower than the peers' median p99 \\(peers \\d of 140\\)"));
  }

  @Test
  void aHealthyPairsErrors_areNoFault_thoughOnePeersRateIsANoisyBaseline() {
    // Two endpoints alike at 5 % errors, 200 requests each in the window: each one's only peer
    // shows a rate that now and then is far below 5 %. Taken as exact, it made the other's errors
    // look like evidence; against the peer's own counts they are not.
    Random random = new Random(5);
    int windows = 5_000;
    int judgedNotHealthy = 0;
    int byTheOneSampleTestAlone = 0;
    for (int w = 0; w < windows; w++) {
      int[] errors = {binomial(random, 200, 0.05), binomial(random, 200, 0.05)};
      List<EndpointStats> pair =
          List.of(
              Traffic.endpoint(2 * w + 1).steady(200, errors[0] / 200.0, 20).paneStats(),
              Traffic.endpoint(2 * w + 2).steady(200, errors[1] / 200.0, 20).paneStats());
      for (EndpointHealth e : scorer.score("details", pair, 0).endpoints()) {
        if (e.getState() != HealthState.HEALTH_STATE_HEALTHY) {
          judgedNotHealthy++;
        }
      }
      for (int self = 0; self < 2; self++) {
        double peerRate = Math.max(errors[1 - self] / 200.0, 0.001);
        if (Evidence.nats(errors[self], 200, peerRate) >= 16) {
          byTheOneSampleTestAlone++;
        }
      }
    }
    assertThat(byTheOneSampleTestAlone)
        .as("endpoints of %d pairs the test against the peer's rate alone would judge", windows)
        .isPositive();
    assertThat(judgedNotHealthy).as("endpoints of %d healthy pairs judged", windows).isZero();
  }

  @Test
  void aPairsEndpoint_isJudged_onTheConcreteCaseWhereItsPeersRateWasTakenAsExact() {
    // 18 of 200 against a peer's 3 of 200 (both could be 5 %): 17.8 nats against 1.5 %, only 6.2
    // against the two counts. 60 of 200 is a fault against either.
    EndpointStats peer = Traffic.endpoint(1).steady(200, 0.015, 20).paneStats();
    EndpointHealth unlucky =
        verdictOf(
            scorer.score(
                "details", List.of(peer, Traffic.endpoint(2).steady(200, 0.09, 20).paneStats()), 0),
            "10.0.0.2");
    assertThat(unlucky.getState())
        .as("18 of 200 against 3 of 200: %s", unlucky.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
    EndpointHealth failing =
        verdictOf(
            scorer.score(
                "details", List.of(peer, Traffic.endpoint(2).steady(200, 0.3, 20).paneStats()), 0),
            "10.0.0.2");
    assertThat(failing.getState())
        .as("60 of 200 against 3 of 200: %s", failing.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
  }

  @Test
  void anEndpointFailingEverything_besideAPeerWithTooFewRequests_isJudgedAgainstTheFloor() {
    EndpointHealth failing =
        verdictOf(
            scorer.score(
                "details",
                List.of(
                    Traffic.endpoint(1).steady(1, 1.0, 20).paneStats(),
                    Traffic.endpoint(2).steady(1000, 1.0, 20).paneStats()),
                0),
            "10.0.0.2");
    assertThat(failing.getState())
        .as("1000 of 1000 failed, the only peer 1 of 1: %s", failing.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(failing.getReasonsList())
        .as("reasons")
        .contains("error rate 100.0 % vs the floor 0.1 % (n=1000)");
  }

  private static int binomial(Random random, int n, double p) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < p) {
        k++;
      }
    }
    return k;
  }

  private static List<EndpointStats> nineHeavyTailedPeersPlus(EndpointStats tenth) {
    return ninePeersPlus(i -> Traffic.endpoint(i).sigma(0.5).steady(500, 0.004, 20).stats(), tenth);
  }

  @Test
  void latencyTriplingLateInTheLastSlide_isSeenByItsSlowRequests_beforeItsMedianMoves() {
    // 100 requests a second; the last 0.4 s of the window are 3× slower. The slide's median is
    // still a healthy request's, and with σ = 0.5 the window p99 is only 1.3× the peers'.
    EndpointStats onset =
        Traffic.endpoint(10)
            .sigma(0.5)
            .add(0, 9_600, 960, 0, ErrorClass.NONE, 20)
            .add(9_600, 10_000, 40, 0, ErrorClass.NONE, 60)
            .stats();
    EndpointHealth verdict =
        verdictOf(scorer.score("reviews", nineHeavyTailedPeersPlus(onset), 0), "10.0.0.10");
    assertThat(verdict.getState())
        .as("reasons %s", verdict.getReasonsList())
        .isIn(HealthState.HEALTH_STATE_DEGRADED, HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(verdict.getReasonsList())
        .as("reasons")
        .anyMatch(r -> r.startsWith("last slide: p90 "))
        .anyMatch(r -> r.matches("last slide: \\d+ of 100 requests slower than the peers' p90.*"));

    ClusterScorer withoutSlideEvidence =
        new ClusterScorer(
            new HealthScorer(ScoringThresholds.builder().latencyEvidence(1_000).build()));
    EndpointHealth ungated =
        verdictOf(
            withoutSlideEvidence.score("reviews", nineHeavyTailedPeersPlus(onset), 0), "10.0.0.10");
    assertThat(ungated.getState())
        .as(
            "without the last slide's evidence nothing else sees it yet: %s",
            ungated.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
  }

  @Test
  void threeStraySlowRequestsInALastSlideOfTwenty_areNoRegression_thoughTheyMakeItsP90Slow() {
    // The slide's p90 is one of the three 3× requests, but 3 (plus a healthy one or two) of 20
    // above the peers' p90 is what a healthy endpoint shows: no evidence.
    EndpointStats stray =
        Traffic.endpoint(10)
            .add(0, 9_000, 450, 0, ErrorClass.NONE, 20)
            .add(9_000, 10_000, 17, 0, ErrorClass.NONE, 20)
            .add(9_000, 10_000, 3, 0, ErrorClass.NONE, 60)
            .stats();
    assertThat(stray.recent().latencyCount()).as("timed requests in the last slide").isEqualTo(20);
    EndpointHealth verdict =
        verdictOf(scorer.score("reviews", nineHealthyPlus(stray), 0), "10.0.0.10");
    assertThat(verdict.getState())
        .as("reasons %s", verdict.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);

    ClusterScorer ungated =
        new ClusterScorer(
            new HealthScorer(ScoringThresholds.builder().latencyEvidence(0.001).build()));
    EndpointHealth withoutEvidence =
        verdictOf(ungated.score("reviews", nineHealthyPlus(stray), 0), "10.0.0.10");
    assertThat(withoutEvidence.getState())
        .as("judged by its p90 alone: %s", withoutEvidence.getReasonsList())
        .isIn(HealthState.HEALTH_STATE_DEGRADED, HealthState.HEALTH_STATE_UNHEALTHY);
  }

  @Test
  void wholeClusterDegradingTogether_isOneServiceEvent_notTenOutliers() {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      all.add(Traffic.endpoint(i).steady(500, 0.20, 20).stats());
    }
    ClusterHealth health = scorer.score("reviews", all, 0);
    assertThat(health.endpoints())
        .as("endpoints, each no worse than its peers")
        .allSatisfy(
            e ->
                assertThat(e.getState())
                    .as("%s", e.getReasonsList())
                    .isNotIn(
                        HealthState.HEALTH_STATE_UNHEALTHY, HealthState.HEALTH_STATE_DEGRADED));
    ServiceHealth service = health.services().get(0);
    assertThat(service.getSubset()).as("the whole-cluster record").isEmpty();
    assertThat(service.getState())
        .as("the service: %s", service.getReasonsList())
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(service.getReasonsList())
        .as("reasons")
        .contains("error rate 20.0 % across 10 endpoints (n=5000), tolerance 1.0 %");
  }

  @Test
  void peers_areTheEndpointsOfTheSameSubset_andEachSubsetGetsAServiceRecord() {
    List<EndpointStats> all = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      all.add(Traffic.endpoint("v1", i).steady(500, 0.0, 20).stats());
      all.add(Traffic.endpoint("v2", 10 + i).steady(500, 0.25, 20).stats());
    }
    ClusterHealth health = scorer.score("reviews", all, 0);
    assertThat(health.services())
        .extracting(ServiceHealth::getSubset)
        .as("service records")
        .containsExactly("", "v1", "v2");
    assertThat(health.services().get(2).getState())
        .as("v2, failing as a whole")
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(health.services().get(1).getState())
        .as("v1")
        .isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
    assertThat(health.endpoints())
        .as("v2 endpoints compared with v2 peers only")
        .filteredOn(e -> e.getSubset().equals("v2"))
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.getPeerErrorRate()).isGreaterThan(0.2));
  }

  @Test
  void endpointWithoutPeers_isJudgedOnItsOwnErrorsWithReducedConfidence() {
    ClusterHealth health =
        scorer.score("reviews", List.of(Traffic.endpoint(1).steady(500, 0.3, 20).stats()), 0);
    EndpointHealth only = health.endpoints().get(0);
    assertThat(only.getState())
        .as("30 %% errors, no peers")
        .isEqualTo(HealthState.HEALTH_STATE_UNHEALTHY);
    assertThat(only.getConfidence()).as("confidence without peers").isLessThan(0.5);
  }
}
