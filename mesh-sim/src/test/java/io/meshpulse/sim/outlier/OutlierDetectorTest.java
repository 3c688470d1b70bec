package io.meshpulse.sim.outlier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
  static final OutlierDetectionConfig DEFAULTS = OutlierDetectionConfig.envoyDefaults();
  static final List<String> TEN = hosts(10);

  static List<String> hosts(int n) {
    return IntStream.range(0, n).mapToObj(i -> "10.0.0." + i + ":80").toList();
  }

  static OutlierDetector detector(OutlierDetectionConfig config, List<String> hosts) {
    return new OutlierDetector(config, hosts, new SplittableRandom(1));
  }

  /** {@code ok} 200s and {@code failed} responses of {@code status} to one host, interleaved. */
  static List<OutlierEvent> traffic(
      OutlierDetector d, String host, int ok, int failed, int status, long nowMs) {
    List<OutlierEvent> out = new ArrayList<>();
    int total = ok + failed;
    int failedSoFar = 0;
    for (int i = 0; i < total; i++) {
      // spread failures evenly so that no run of consecutive errors forms
      boolean fail = failedSoFar < (long) failed * (i + 1) / total;
      if (fail) {
        failedSoFar++;
      }
      out.addAll(d.onResponse(host, fail ? status : 200, nowMs));
    }
    return out;
  }

  @Test
  void envoyDefaults_matchOutlierDetectionProto() {
    assertThat(DEFAULTS.consecutive5xx()).as("consecutive_5xx").isEqualTo(5);
    assertThat(DEFAULTS.consecutiveGatewayFailure()).as("consecutive_gateway_failure").isEqualTo(5);
    assertThat(DEFAULTS.enforcingConsecutiveGatewayFailure())
        .as("enforcing_consecutive_gateway_failure")
        .isZero();
    assertThat(DEFAULTS.interval()).as("interval").isEqualTo(Duration.ofSeconds(10));
    assertThat(DEFAULTS.baseEjectionTime()).as("base_ejection_time").hasSeconds(30);
    assertThat(DEFAULTS.maxEjectionTime()).as("max_ejection_time").hasSeconds(300);
    assertThat(DEFAULTS.maxEjectionPercent()).as("max_ejection_percent").isEqualTo(10);
    assertThat(DEFAULTS.successRateStdevFactor()).as("success_rate_stdev_factor").isEqualTo(1900);
    assertThat(DEFAULTS.successRateMinimumHosts()).as("success_rate_minimum_hosts").isEqualTo(5);
    assertThat(DEFAULTS.successRateRequestVolume())
        .as("success_rate_request_volume")
        .isEqualTo(100);
    assertThat(DEFAULTS.failurePercentageThreshold())
        .as("failure_percentage_threshold")
        .isEqualTo(85);
    assertThat(DEFAULTS.enforcingFailurePercentage()).as("enforcing_failure_percentage").isZero();
  }

  @Test
  void consecutive5xx_ejectsOnTheFifthErrorInARow_andASuccessResetsTheRun() {
    OutlierDetector d = detector(DEFAULTS, TEN);
    String h = TEN.get(3);
    for (int i = 0; i < 4; i++) {
      assertThat(d.onResponse(h, 500, 1)).as("error %d", i + 1).isEmpty();
    }
    assertThat(d.onResponse(h, 200, 1)).as("a success").isEmpty();
    for (int i = 0; i < 4; i++) {
      assertThat(d.onResponse(h, 500, 2)).as("error %d after the reset", i + 1).isEmpty();
    }
    List<OutlierEvent> events = d.onResponse(h, 500, 3);
    assertThat(events)
        .as("fifth consecutive 500")
        .containsExactly(new OutlierEvent(h, true, EjectionCause.CONSECUTIVE_5XX, 3, 1));
    assertThat(d.isEjected(h)).as("ejected").isTrue();
  }

  @Test
  void consecutiveGatewayFailures_areCountedButNotEnforcedByDefault_andEjectWhenEnforced() {
    // 502/503/504 alternate with 500s would never make five gateway failures in a row, so use
    // 503s only: with the defaults the fifth is a consecutive-5xx ejection, not a gateway one
    OutlierDetector byDefault = detector(DEFAULTS, TEN);
    List<OutlierEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.addAll(byDefault.onResponse(TEN.get(0), 503, 1));
    }
    assertThat(events)
        .extracting(OutlierEvent::cause)
        .containsExactly(EjectionCause.CONSECUTIVE_5XX);

    OutlierDetector enforced = detector(DEFAULTS.withEnforcingConsecutiveGatewayFailure(100), TEN);
    events.clear();
    for (int i = 0; i < 5; i++) {
      events.addAll(enforced.onResponse(TEN.get(0), 504, 1));
    }
    assertThat(events)
        .extracting(OutlierEvent::cause)
        .containsExactly(EjectionCause.CONSECUTIVE_GATEWAY_FAILURE);
  }

  @Test
  void aNonGateway5xx_breaksTheGatewayRunButNotThe5xxRun() {
    OutlierDetectionConfig gatewayOnly =
        new OutlierDetectionConfig(
            100,
            100,
            3,
            100,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(300),
            10,
            100,
            5,
            100,
            1900,
            85,
            0,
            5,
            50);
    OutlierDetector d = detector(gatewayOnly, TEN);
    String h = TEN.get(1);
    assertThat(d.onResponse(h, 503, 1)).isEmpty();
    assertThat(d.onResponse(h, 502, 1)).isEmpty();
    assertThat(d.onResponse(h, 500, 1)).as("a 500 resets the gateway run").isEmpty();
    assertThat(d.onResponse(h, 503, 1)).isEmpty();
    assertThat(d.onResponse(h, 503, 1)).isEmpty();
    assertThat(d.onResponse(h, 504, 1))
        .as("third gateway failure in a row")
        .extracting(OutlierEvent::cause)
        .containsExactly(EjectionCause.CONSECUTIVE_GATEWAY_FAILURE);
  }

  @Test
  void maxEjectionPercent_allowsOneOfTenHosts_andNoneOfFour() {
    OutlierDetector ten = detector(DEFAULTS, TEN);
    List<OutlierEvent> events = new ArrayList<>();
    for (String h : List.of(TEN.get(0), TEN.get(1))) {
      for (int i = 0; i < 5; i++) {
        events.addAll(ten.onResponse(h, 500, 1));
      }
    }
    assertThat(ten.ejectedHosts()).as("ejected of ten").containsExactly(TEN.get(0));

    List<String> four = hosts(4);
    OutlierDetector small = detector(DEFAULTS, four);
    for (int i = 0; i < 20; i++) {
      small.onResponse(four.get(0), 503, 1);
    }
    assertThat(small.ejectedHosts()).as("10 % of 4 hosts rounds to none").isEmpty();
  }

  @Test
  void successRate_ejectsAHostBelowMeanMinusOnePointNineSigma() {
    OutlierDetector d = detector(DEFAULTS, TEN);
    for (String h : TEN) {
      // 200 requests each: 0.5 % errors on healthy hosts, 5 % on host 7, no runs of errors
      assertThat(
              traffic(
                  d, h, h.equals(TEN.get(7)) ? 190 : 199, h.equals(TEN.get(7)) ? 10 : 1, 500, 1))
          .as("no inline ejection")
          .isEmpty();
    }
    List<OutlierEvent> events = d.onInterval(10_000);
    assertThat(events)
        .as("sweep")
        .containsExactly(new OutlierEvent(TEN.get(7), true, EjectionCause.SUCCESS_RATE, 10_000, 1));
  }

  @Test
  void successRate_needsTheRequestVolumeAndFiveHosts() {
    OutlierDetector lowVolume = detector(DEFAULTS, TEN);
    for (String h : TEN) {
      // 99 requests each: below success_rate_request_volume
      traffic(lowVolume, h, h.equals(TEN.get(7)) ? 80 : 98, h.equals(TEN.get(7)) ? 19 : 1, 500, 1);
    }
    assertThat(lowVolume.onInterval(10_000)).as("sweep below the request volume").isEmpty();

    OutlierDetector fewHosts = detector(DEFAULTS, TEN);
    for (String h : TEN.subList(0, 4)) {
      traffic(fewHosts, h, h.equals(TEN.get(0)) ? 150 : 199, h.equals(TEN.get(0)) ? 50 : 1, 500, 1);
    }
    assertThat(fewHosts.onInterval(10_000)).as("sweep with four qualifying hosts").isEmpty();
  }

  @Test
  void successRate_countsOnlyTheLastInterval() {
    OutlierDetector d = detector(DEFAULTS, TEN);
    for (String h : TEN) {
      traffic(d, h, 200, 0, 500, 1);
    }
    assertThat(d.onInterval(10_000)).as("first sweep, all healthy").isEmpty();
    for (String h : TEN) {
      // 99 requests: host 2 fails half of them, but 99 is below the volume on its own
      traffic(d, h, h.equals(TEN.get(2)) ? 49 : 99, h.equals(TEN.get(2)) ? 50 : 0, 500, 11_000);
    }
    assertThat(d.onInterval(20_000)).as("second sweep, counters restarted").isEmpty();
  }

  @Test
  void failurePercentage_isOffByDefault_andEjectsAtEightyFivePercentWhenEnforced() {
    OutlierDetectionConfig noSuccessRate =
        new OutlierDetectionConfig(
            1000,
            100,
            1000,
            0,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(300),
            10,
            0,
            5,
            100,
            1900,
            85,
            0,
            5,
            50);
    for (int enforcing : new int[] {0, 100}) {
      OutlierDetector d = detector(noSuccessRate.withEnforcingFailurePercentage(enforcing), TEN);
      for (String h : TEN) {
        traffic(d, h, h.equals(TEN.get(4)) ? 7 : 60, h.equals(TEN.get(4)) ? 53 : 0, 500, 1);
      }
      List<OutlierEvent> events = d.onInterval(10_000);
      if (enforcing == 0) {
        assertThat(events).as("enforcing_failure_percentage 0").isEmpty();
      } else {
        assertThat(events)
            .as("88 %% failures, enforced")
            .extracting(OutlierEvent::host, OutlierEvent::cause)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(TEN.get(4), EjectionCause.FAILURE_PERCENTAGE));
      }
    }
  }

  @Test
  void ejectionTime_isBaseTimesEjections_cappedAtMax_andEndsAtASweep() {
    assertThat(DEFAULTS.ejectionTime(1)).hasSeconds(30);
    assertThat(DEFAULTS.ejectionTime(3)).hasSeconds(90);
    assertThat(DEFAULTS.ejectionTime(50)).as("capped").hasSeconds(300);

    OutlierDetector d = detector(DEFAULTS, TEN);
    String h = TEN.get(5);
    for (int i = 0; i < 5; i++) {
      d.onResponse(h, 500, 0);
    }
    assertThat(d.onInterval(29_999)).as("sweep before 30 s").isEmpty();
    assertThat(d.onInterval(30_000))
        .as("sweep at 30 s")
        .containsExactly(new OutlierEvent(h, false, null, 30_000, 1));
    for (int i = 0; i < 5; i++) {
      d.onResponse(h, 500, 31_000);
    }
    assertThat(d.onInterval(31_000 + 59_999)).as("second ejection, before 60 s").isEmpty();
    assertThat(d.onInterval(31_000 + 60_000))
        .as("second ejection lasts 2 × 30 s")
        .extracting(OutlierEvent::ejected)
        .containsExactly(false);
  }

  @Test
  void theBackoffDropsOnlyAfterTheSweepsEjections_forAHostBackForAnInterval() {
    OutlierDetector d = detector(DEFAULTS, TEN);
    String h = TEN.get(7);
    for (int i = 0; i < 5; i++) {
      d.onResponse(h, 500, 0);
    }
    assertThat(d.onInterval(30_000)).as("back after 30 s").hasSize(1);
    // Its next interval: 5 % errors, no run of five, among healthy peers.
    for (String host : TEN) {
      traffic(d, host, host.equals(h) ? 190 : 199, host.equals(h) ? 10 : 1, 500, 35_000);
    }
    assertThat(d.onInterval(40_000))
        .as("ejected again by success rate, a whole interval after its return")
        .containsExactly(new OutlierEvent(h, true, EjectionCause.SUCCESS_RATE, 40_000, 2));
    // Envoy lowers the backoff after the sweep's ejections, only for hosts in service: this one
    // went out again, so its second ejection lasts 2 × 30 s, not 30 s.
    assertThat(d.onInterval(70_000)).as("still out at 30 s").isEmpty();
    assertThat(d.onInterval(100_000))
        .as("back at 60 s")
        .containsExactly(new OutlierEvent(h, false, null, 100_000, 2));
    // Back for less than an interval at the next sweep: the backoff stays at 2.
    for (int i = 0; i < 5; i++) {
      d.onResponse(h, 500, 105_000);
    }
    assertThat(d.onInterval(105_000 + 90_000 - 1)).as("third ejection: 3 × 30 s").isEmpty();
    assertThat(d.onInterval(105_000 + 90_000)).as("back at 90 s").hasSize(1);
  }

  @Test
  void theBackoffStopsGrowing_onceItsTimeReachesTheMaximumPlusTheBase() {
    OutlierDetector d = detector(DEFAULTS, TEN);
    String h = TEN.get(2);
    long now = 0;
    for (int ejection = 1; ejection <= 14; ejection++) {
      for (int i = 0; i < 5; i++) {
        d.onResponse(h, 500, now);
      }
      long out = Math.min(30_000L * ejection, 300_000L);
      assertThat(d.onInterval(now + out - 1)).as("ejection %d, before its end", ejection).isEmpty();
      now += out;
      assertThat(d.onInterval(now)).as("ejection %d ends at %d ms", ejection, out).hasSize(1);
    }
    // The backoff stopped at 11 (11 × 30 s ≥ 300 s + 30 s): ten clean sweeps bring it to 1.
    for (int sweep = 1; sweep <= 10; sweep++) {
      d.onInterval(now + sweep * 10_000L);
    }
    now += 10 * 10_000L;
    for (int i = 0; i < 5; i++) {
      d.onResponse(h, 500, now);
    }
    assertThat(d.onInterval(now + 59_999)).as("the next ejection: 2 × 30 s").isEmpty();
    assertThat(d.onInterval(now + 60_000)).as("back at 60 s").hasSize(1);
  }

  @Test
  void aMaximumEjectionTimeBelowTheBase_isRefused_asEnvoyRefusesIt() {
    assertThatThrownBy(
            () ->
                new OutlierDetectionConfig(
                    5,
                    100,
                    5,
                    0,
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(20),
                    10,
                    100,
                    5,
                    100,
                    1900,
                    85,
                    0,
                    5,
                    50))
        .hasMessageStartingWith("maxEjectionTime must not be below baseEjectionTime");
  }
}
