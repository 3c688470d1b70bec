package io.meshpulse.xds.shift;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.decision.DecisionMapper;
import io.meshpulse.xds.policy.PolicyMode;
import io.meshpulse.xds.policy.PolicyRecovery;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.ServiceDecision;
import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologyException;
import io.meshpulse.xds.topology.TopologyParser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubsetShiftsTest {
  static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
  static final SubsetShifts.Config CONFIG =
      new SubsetShifts.Config(
          true, 100, Duration.ofSeconds(10), Duration.ofSeconds(30), 25, Duration.ofSeconds(5), 50);

  static Topology topology() throws TopologyException {
    return TopologyParser.parse(
        "t",
        """
        services:
          - name: reviews
            port: 9080
            routeWeights: {v1: 40, v2: 40, v3: 20}
            subsets:
              - name: v1
                endpoints: [{address: 10.0.0.1, port: 9080}]
              - name: v2
                endpoints: [{address: 10.0.0.2, port: 9080}]
              - name: v3
                endpoints: [{address: 10.0.0.3, port: 9080}]
          - name: ratings
            port: 9090
            subsets:
              - name: v1
                endpoints: [{address: 10.0.1.1, port: 9090}]
        """);
  }

  static ServiceHealth subset(String subset, HealthState state, long requests, Instant at) {
    return ServiceHealth.newBuilder()
        .setCluster("reviews")
        .setSubset(subset)
        .setState(state)
        .setScore(state == HealthState.HEALTH_STATE_UNHEALTHY ? 0.2 : 0.98)
        .setRequests(requests)
        .addReasons("error rate 20.0 % across 3 endpoints")
        .setEmittedUnixMillis(at.toEpochMilli())
        .build();
  }

  static Map<String, ServiceHealth> health(Instant at, HealthState v3, HealthState others) {
    Map<String, ServiceHealth> m = new HashMap<>();
    m.put("reviews/v1", subset("v1", others, 800, at));
    m.put("reviews/v2", subset("v2", others, 800, at));
    m.put("reviews/v3", subset("v3", v3, 400, at));
    return m;
  }

  static final HealthState BAD = HealthState.HEALTH_STATE_UNHEALTHY;
  static final HealthState OK = HealthState.HEALTH_STATE_HEALTHY;

  @Test
  void aFailingCanarySubset_losesItsWeightAtOnce_toAHealthySubset() throws Exception {
    SubsetShifts shifts = new SubsetShifts(CONFIG);
    List<RouteShift> s = shifts.advance(T0, topology(), health(T0, BAD, OK));
    assertThat(s).as("shifts").hasSize(1);
    RouteShift shift = s.get(0);
    assertThat(shift.ref()).as("ref").isEqualTo("health:reviews/v3");
    assertThat(shift.from()).as("from").isEqualTo("v3");
    assertThat(shift.to()).as("to the healthy subset with the most weight").isEqualTo("v1");
    assertThat(shift.remainingPercent()).as("remaining").isZero();
    assertThat(shift.reason()).as("reason").contains("subset v3 UNHEALTHY score=0.20 requests=400");
    assertThat(shift.trigger()).as("trigger").isEqualTo(DecisionTrigger.DECISION_TRIGGER_HEALTH);
  }

  @Test
  void whileThePolicyHolds_aDrainedSubsetStaysDrained_andRestoresOnceRecordsReturn()
      throws Exception {
    Topology t = topology();
    SubsetShifts shifts = new SubsetShifts(CONFIG);
    shifts.advance(T0, t, health(T0, BAD, OK));
    // The pipeline falls silent, and the policy holds, long past the shift's hold.
    for (int s = 10; s <= 120; s += 10) {
      assertThat(shifts.advance(T0.plusSeconds(s), t, Map.of(), PolicyMode.HOLD))
          .as("in force %d s into the silence", s)
          .singleElement()
          .satisfies(r -> assertThat(r.remainingPercent()).isZero());
    }
    assertThat(
            shifts.advance(
                T0.plusSeconds(121), t, health(T0.plusSeconds(121), OK, OK), PolicyMode.NORMAL))
        .as("records are back and the hold is over: the first restore step")
        .singleElement()
        .satisfies(r -> assertThat(r.remainingPercent()).isEqualTo(25));
  }

  @Test
  void theWeightComesBackStepByStep_afterTheHold_andAFailureWhileRestoringShiftsItAgain()
      throws Exception {
    Topology t = topology();
    SubsetShifts shifts = new SubsetShifts(CONFIG);
    shifts.advance(T0, t, health(T0, BAD, OK));
    Instant quiet = T0.plusSeconds(20);
    assertThat(shifts.advance(quiet, t, Map.of()).get(0).remainingPercent())
        .as("within the hold, without any record")
        .isZero();
    Instant afterHold = T0.plusSeconds(30);
    assertThat(shifts.advance(afterHold, t, Map.of()).get(0).remainingPercent())
        .as("first restore step")
        .isEqualTo(25);
    assertThat(shifts.advance(afterHold.plusSeconds(1), t, Map.of()).get(0).remainingPercent())
        .as("no step before the restore interval")
        .isEqualTo(25);
    Instant relapse = afterHold.plusSeconds(5);
    assertThat(shifts.advance(relapse, t, health(relapse, BAD, OK)).get(0).remainingPercent())
        .as("failing again while restoring")
        .isZero();
    assertThat(shifts.advance(relapse.plusSeconds(31), t, Map.of()).get(0).remainingPercent())
        .as("the second hold is twice as long")
        .isZero();
    Instant back = relapse.plusSeconds(60);
    int remaining = 0;
    for (int i = 0; i < 4; i++) {
      remaining = shifts.advance(back.plusSeconds(5L * i), t, Map.of()).get(0).remainingPercent();
    }
    assertThat(remaining).as("fully restored after four steps").isEqualTo(100);
    assertThat(shifts.advance(back.plusSeconds(25), t, Map.of()))
        .as("forgotten once restored")
        .isEmpty();
    assertThat(shifts.active()).as("active").isZero();
  }

  @Test
  void aSubsetStillFailingWhileRestoring_isNotRestoredFurther_whenNoSubsetIsHealthy()
      throws Exception {
    Topology t = topology();
    SubsetShifts shifts = new SubsetShifts(CONFIG);
    shifts.advance(T0, t, health(T0, BAD, OK));
    Instant afterHold = T0.plusSeconds(30);
    assertThat(shifts.advance(afterHold, t, Map.of()).get(0).remainingPercent()).isEqualTo(25);

    // v3 fails again, and v1 and v2 are degraded by the traffic they took: nowhere to drain to.
    HealthState degraded = HealthState.HEALTH_STATE_DEGRADED;
    for (int i = 1; i <= 4; i++) {
      Instant at = afterHold.plusSeconds(5L * i);
      RouteShift shift = shifts.advance(at, t, health(at, BAD, degraded)).get(0);
      assertThat(shift.remainingPercent()).as("step %d: held, not restored", i).isEqualTo(25);
      assertThat(shift.reason()).contains("no healthy subset to take more of its traffic");
    }
    Instant lastBad = afterHold.plusSeconds(20);
    assertThat(shifts.advance(lastBad.plusSeconds(29), t, Map.of()).get(0).remainingPercent())
        .as("the hold runs from the last failing record")
        .isEqualTo(25);
    assertThat(shifts.advance(lastBad.plusSeconds(30), t, Map.of()).get(0).remainingPercent())
        .as("restoring once the hold has passed")
        .isEqualTo(50);
  }

  @Test
  void guardrails_theMajoritySubset_noHealthyTarget_staleRecords_andFewRequests_shiftNothing()
      throws Exception {
    Topology t = topology();
    Map<String, ServiceHealth> stableBad = health(T0, OK, BAD);
    stableBad.put("reviews/v3", subset("v3", OK, 400, T0));
    stableBad.put("reviews/v2", subset("v2", OK, 800, T0));
    stableBad.put("reviews/v1", subset("v1", BAD, 800, T0));
    assertThat(new SubsetShifts(CONFIG).advance(T0, t, stableBad))
        .as("a failing v1 with 40 % of the weight (a minority) moves to a healthy subset")
        .hasSize(1);
    SubsetShifts.Config strict =
        new SubsetShifts.Config(
            true,
            100,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            25,
            Duration.ofSeconds(5),
            30);
    assertThat(new SubsetShifts(strict).advance(T0, t, stableBad))
        .as("a subset above max-share-percent is never shifted")
        .isEmpty();
    assertThat(new SubsetShifts(CONFIG).advance(T0, t, health(T0, BAD, BAD)))
        .as("every subset failing: a service-wide fault")
        .isEmpty();
    assertThat(new SubsetShifts(CONFIG).advance(T0.plusSeconds(11), t, health(T0, BAD, OK)))
        .as("stale records")
        .isEmpty();
    Map<String, ServiceHealth> few = health(T0, BAD, OK);
    few.put("reviews/v3", subset("v3", BAD, 40, T0));
    assertThat(new SubsetShifts(CONFIG).advance(T0, t, few)).as("too few requests").isEmpty();
    SubsetShifts.Config off =
        new SubsetShifts.Config(
            false,
            100,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            25,
            Duration.ofSeconds(5),
            50);
    assertThat(new SubsetShifts(off).advance(T0, t, health(T0, BAD, OK))).as("disabled").isEmpty();
  }

  @Test
  void aRestartedInstance_restoredFromTheDecisionLog_shiftsAsTheOneThatRanOn() throws Exception {
    Topology t = topology();
    SubsetShifts ranOn = new SubsetShifts(CONFIG);
    List<RoutingDecision> log = new ArrayList<>();
    Map<String, Integer> logged = new HashMap<>();
    // Drained at T0, restoring from T0 + 30 s, failing again at T0 + 35 s: a second offence.
    for (int s = 0; s <= 50; s += 5) {
      Instant now = T0.plusSeconds(s);
      Map<String, ServiceHealth> records = s == 0 || s == 35 ? health(now, BAD, OK) : Map.of();
      record(ranOn.advance(now, t, records), now, logged, log);
    }
    SubsetShifts restarted = new SubsetShifts(CONFIG);
    restarted.restore(PolicyRecovery.shifts(log).values());
    restarted.restore(
        List.of(
            new PolicyRecovery.LoggedShift(
                new RouteShift("fp-alert", "reviews", "v2", "v1", 0, "alert"), T0, T0, 1)));
    int lastPercent = -1;
    for (int s = 55; s <= 140; s += 5) {
      Instant now = T0.plusSeconds(s);
      List<RouteShift> want = ranOn.advance(now, t, Map.of());
      List<RouteShift> got = restarted.advance(now, t, Map.of());
      assertThat(got.stream().map(RouteShift::remainingPercent).toList())
          .as("percents %d s after the first failure", s)
          .isEqualTo(want.stream().map(RouteShift::remainingPercent).toList());
      assertThat(got.stream().map(RouteShift::ref).toList())
          .as("refs %d s after the first failure (no alert shift taken over)", s)
          .isEqualTo(want.stream().map(RouteShift::ref).toList());
      if (!got.isEmpty()) {
        lastPercent = got.get(0).remainingPercent();
      }
    }
    assertThat(lastPercent).as("restored in the end").isEqualTo(100);
    assertThat(PolicyRecovery.shifts(log).get("health:reviews/v3"))
        .as("the logged shift")
        .satisfies(
            l -> {
              assertThat(l.offences()).as("offences").isEqualTo(2);
              assertThat(l.loweredAt()).as("lowered at").isEqualTo(T0.plusSeconds(35));
            });
  }

  @Test
  void aSubsetDrainedLongerThanTheReadBack_isTakenBackFromItsReaffirmations() throws Exception {
    Topology t = topology();
    SubsetShifts ranOn = new SubsetShifts(CONFIG);
    List<RoutingDecision> log = new ArrayList<>();
    Map<String, Integer> logged = new HashMap<>();
    Duration every = Duration.ofSeconds(60);
    // Drained at T0 and failing until T0 + 420 s: one drain, then only reaffirmations.
    for (int s = 0; s <= 440; s += 5) {
      Instant now = T0.plusSeconds(s);
      Map<String, ServiceHealth> records = s <= 420 ? health(now, BAD, OK) : Map.of();
      record(ranOn.advance(now, t, records), now, logged, log);
      ranOn.reaffirm(now, every).forEach(r -> log.add(DecisionMapper.reaffirmation(r, now, false)));
    }
    assertThat(log)
        .as("the drain, then a reaffirmation every 60 s")
        .extracting(d -> d.getShiftChanges(0).getReaffirmed())
        .containsExactly(false, true, true, true, true, true, true, true);
    // A restart at T0 + 445 s reads back 2 minutes: the drain is older.
    Instant restart = T0.plusSeconds(445);
    List<RoutingDecision> readBack =
        log.stream()
            .filter(d -> d.getDecidedUnixMillis() >= restart.minusSeconds(120).toEpochMilli())
            .toList();
    PolicyRecovery.LoggedShift found = PolicyRecovery.shifts(readBack).get("health:reviews/v3");
    assertThat(found).as("found in the read-back").isNotNull();
    assertThat(found.loweredAt())
        .as("held since its last failure logged")
        .isEqualTo(T0.plusSeconds(420));
    assertThat(found.changedAt()).as("its percent last changed at the drain").isEqualTo(T0);
    assertThat(found.offences()).as("offences").isEqualTo(1);
    assertThat(
            PolicyRecovery.shifts(
                readBack.stream().filter(d -> !d.getShiftChanges(0).getReaffirmed()).toList()))
        .as("without reaffirmations, nothing in the read-back")
        .isEmpty();

    SubsetShifts restarted = new SubsetShifts(CONFIG);
    restarted.restore(PolicyRecovery.shifts(readBack).values());
    List<Integer> percents = new ArrayList<>();
    for (int s = 445; s <= 500; s += 5) {
      Instant now = T0.plusSeconds(s);
      List<Integer> want =
          ranOn.advance(now, t, Map.of()).stream().map(RouteShift::remainingPercent).toList();
      List<Integer> got =
          restarted.advance(now, t, Map.of()).stream().map(RouteShift::remainingPercent).toList();
      assertThat(got).as("percents %d s after the drain", s).isEqualTo(want);
      percents.addAll(got);
      if (got.equals(List.of(100))) {
        assertThat(restarted.reaffirm(now.plus(every), every))
            .as("a shift back at 100 % (returned once more) is not written again")
            .isEmpty();
      }
    }
    assertThat(percents)
        .as("drained until the hold from 420 s ends at 450 s, then back step by step")
        .containsExactly(0, 25, 50, 75, 100);
  }

  @Test
  void aShiftTakenBackFromTheLog_isWrittenAgainAtOnce() throws Exception {
    SubsetShifts restarted = new SubsetShifts(CONFIG);
    restarted.restore(
        List.of(
            new PolicyRecovery.LoggedShift(
                new RouteShift("health:reviews/v3", "reviews", "v3", "v1", 0, "failing"),
                T0,
                T0,
                2)));
    Instant now = T0.plusSeconds(1);
    List<PolicyRecovery.LoggedShift> due = restarted.reaffirm(now, Duration.ofMinutes(5));
    assertThat(due).as("written again at once").hasSize(1);
    assertThat(due.get(0).offences()).as("offences").isEqualTo(2);
    assertThat(restarted.reaffirm(now.plusSeconds(1), Duration.ofMinutes(5)))
        .as("not again before its interval")
        .isEmpty();
    RoutingDecision record = DecisionMapper.reaffirmation(due.get(0), now, false);
    assertThat(record.getTrigger())
        .as("trigger")
        .isEqualTo(DecisionTrigger.DECISION_TRIGGER_HEALTH);
    assertThat(record.getShiftChanges(0).getHeldSinceUnixMillis())
        .as("held since")
        .isEqualTo(T0.toEpochMilli());
  }

  @Test
  void memory_coversTheLongestHoldAndTheStepsBack() {
    assertThat(new SubsetShifts(CONFIG).memory())
        .as("8 × 30 s of hold, then 4 steps of 5 s")
        .isEqualTo(Duration.ofSeconds(260));
  }

  /** Logs the shifts whose percent changed, as the policy's decisions do. */
  private static void record(
      List<RouteShift> shifts, Instant at, Map<String, Integer> logged, List<RoutingDecision> log) {
    List<RouteShift> changed =
        shifts.stream()
            .filter(r -> logged.getOrDefault(r.ref(), 100) != r.remainingPercent())
            .toList();
    changed.forEach(r -> logged.put(r.ref(), r.remainingPercent()));
    if (!changed.isEmpty()) {
      log.add(
          DecisionMapper.toRecord(
              new ServiceDecision(
                  "reviews",
                  DecisionTrigger.DECISION_TRIGGER_HEALTH,
                  changed.get(0).ref(),
                  List.of(),
                  List.of(),
                  List.of(),
                  List.of(),
                  changed),
              at,
              "v",
              false));
    }
  }
}
