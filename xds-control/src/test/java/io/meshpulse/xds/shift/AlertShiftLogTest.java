package io.meshpulse.xds.shift;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.decision.DecisionMapper;
import io.meshpulse.xds.policy.RouteShift;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An xds-control restarted at any moment takes its alert shifts back from the decision log and
 * moves them exactly as the instance that ran on would have.
 */
class AlertShiftLogTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration TICK = Duration.ofMillis(250);
  private static final Duration RUN = Duration.ofSeconds(100);
  private static final Duration MEMORY = Duration.ofMinutes(30);

  // The first action shifts the same routes to the same subset as the second, with another floor
  // and other steps, and matches no alert here: a restart must take back the action that matched.
  private final List<ShiftAction> actions =
      List.of(
          new ShiftAction(
              Map.of("alertname", "OtherBad"),
              "destination_service_name",
              "destination_version",
              "v1",
              50,
              50,
              Duration.ofSeconds(3),
              10,
              Duration.ofSeconds(7)),
          new ShiftAction(
              Map.of("alertname", "CanaryBad"),
              "destination_service_name",
              "destination_version",
              "v1",
              25,
              0,
              Duration.ofSeconds(1),
              25,
              Duration.ofSeconds(5)),
          new ShiftAction(
              Map.of("alertname", "RouteBad"),
              "destination_service_name",
              "destination_version",
              "v1",
              50,
              50,
              Duration.ofSeconds(2),
              50,
              Duration.ofSeconds(3),
              "reviews-vs/api"));

  private static Map<String, String> labels(String alert, String subset) {
    return Map.of(
        "alertname", alert, "destination_service_name", "reviews", "destination_version", subset);
  }

  /**
   * fp1 fires, resolves, fires again while restoring (a cycle), resolves, fires again after it was
   * restored (another cycle) and resolves; fp2, on one route, fires and never resolves.
   */
  private final TreeMap<Long, List<Alert>> events = new TreeMap<>();

  {
    at(0, new Alert("fp1", true, labels("CanaryBad", "v2")));
    at(3_000, new Alert("fp2", true, labels("RouteBad", "v3")));
    at(6_000, new Alert("fp1", false, labels("CanaryBad", "v2")));
    at(14_000, new Alert("fp1", true, labels("CanaryBad", "v2")));
    at(20_000, new Alert("fp1", false, labels("CanaryBad", "v2")));
    at(50_000, new Alert("fp1", true, labels("CanaryBad", "v2")));
    at(55_000, new Alert("fp1", false, labels("CanaryBad", "v2")));
  }

  private void at(long millis, Alert alert) {
    events.computeIfAbsent(millis, k -> new ArrayList<>()).add(alert);
  }

  /** What the instance that runs on does: its shifts per tick, and the log it writes. */
  private record Run(Map<Long, List<RouteShift>> shifts, List<RoutingDecision> log) {}

  private Run runOn() {
    return runOn(null);
  }

  /** The same, writing its shifts again every {@code reaffirmEvery} without a record (or never). */
  private Run runOn(Duration reaffirmEvery) {
    List<RoutingDecision> log = new ArrayList<>();
    AlertShifts shifts = new AlertShifts(actions, MEMORY);
    shifts.onTransition(t -> log.add(AlertShiftLog.decision(t, false)));
    Map<Long, List<RouteShift>> out = new HashMap<>();
    Map<String, Integer> logged = new HashMap<>();
    for (long ms = 0; ms <= RUN.toMillis(); ms += TICK.toMillis()) {
      Instant now = T0.plusMillis(ms);
      for (Alert a : events.getOrDefault(ms, List.of())) {
        shifts.receive(a, now);
      }
      List<RouteShift> advanced = shifts.advance(now);
      out.put(ms, advanced);
      if (reaffirmEvery != null) {
        shifts
            .reaffirm(now, reaffirmEvery)
            .forEach(r -> log.add(AlertShiftLog.reaffirmation(r, now, false)));
      }
      // As the policy logs them: every shift whose percent changed since the last evaluation.
      Map<String, Integer> percents = new HashMap<>();
      for (RouteShift s : advanced) {
        percents.put(s.ref(), s.remainingPercent());
        if (logged.getOrDefault(s.ref(), 100) != s.remainingPercent()) {
          log.add(shiftChange(s, now));
        }
      }
      logged = percents;
    }
    return new Run(out, log);
  }

  private static RoutingDecision shiftChange(RouteShift s, Instant at) {
    return RoutingDecision.newBuilder()
        .setCluster(s.service())
        .setDecidedUnixMillis(at.toEpochMilli())
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_ALERT)
        .addShiftChanges(DecisionMapper.shiftChange(s))
        .build();
  }

  @Test
  void aRestartAtAnyMoment_movesTheAlertShiftsAsTheInstanceThatRanOn() {
    Run on = runOn();
    assertThat(on.log())
        .as("transitions logged: 4 firings and 3 resolutions")
        .filteredOn(d -> d.getAlertShiftsCount() > 0)
        .hasSize(7);
    int restoredSomething = 0;
    for (long restartMs = 100; restartMs < RUN.toMillis(); restartMs += 500) {
      Instant restart = T0.plusMillis(restartMs);
      List<RoutingDecision> before =
          on.log().stream().filter(d -> d.getDecidedUnixMillis() < restart.toEpochMilli()).toList();
      AlertShifts restarted = new AlertShifts(actions, MEMORY);
      List<String> taken = restarted.restore(AlertShiftLog.read(before).values(), restart);
      if (!taken.isEmpty()) {
        restoredSomething++;
      }
      long firstTick = (restartMs / TICK.toMillis() + 1) * TICK.toMillis();
      for (long ms = firstTick; ms <= RUN.toMillis(); ms += TICK.toMillis()) {
        Instant now = T0.plusMillis(ms);
        for (Alert a : events.getOrDefault(ms, List.of())) {
          restarted.receive(a, now);
        }
        assertThat(restarted.advance(now))
            .as("restarted at %d ms, shifts at %d ms", restartMs, ms)
            .isEqualTo(on.shifts().get(ms));
      }
    }
    assertThat(restoredSomething).as("restarts that took shifts back").isGreaterThan(150);
  }

  @Test
  void aRestartWhileRestoring_keepsTheCycles_soTheNextFiringHoldsLonger() {
    Run on = runOn();
    // At 22 s fp1 has resolved a second time (one cycle: its restore is held 10 s, to 30 s).
    Instant restart = T0.plusSeconds(22);
    AlertShifts restarted = new AlertShifts(actions, MEMORY);
    restarted.restore(
        AlertShiftLog.read(
                on.log().stream()
                    .filter(d -> d.getDecidedUnixMillis() < restart.toEpochMilli())
                    .toList())
            .values(),
        restart);
    RouteShift fp1 =
        restarted.advance(restart).stream().filter(s -> s.ref().equals("fp1")).findFirst().get();
    assertThat(fp1.remainingPercent()).as("still drained during the hold").isZero();
    assertThat(fp1.reason())
        .as("reason")
        .isEqualTo("alert CanaryBad resolved, restore held 10s" + " after 1 cycle");
    assertThat(restarted.advance(T0.plusSeconds(29)))
        .as("held until 30 s")
        .filteredOn(s -> s.ref().equals("fp1"))
        .extracting(RouteShift::remainingPercent)
        .containsExactly(0);
    assertThat(restarted.advance(T0.plusSeconds(30)))
        .as("first step back at 30 s")
        .filteredOn(s -> s.ref().equals("fp1"))
        .extracting(RouteShift::remainingPercent)
        .containsExactly(25);
  }

  @Test
  void aShiftNoActionMatchesAnyMore_orWithoutItsTransition_isNotTakenBack() {
    Run on = runOn();
    List<RoutingDecision> before =
        on.log().stream()
            .filter(d -> d.getDecidedUnixMillis() < T0.plusSeconds(5).toEpochMilli())
            .toList();
    AlertShifts withoutRouteAction = new AlertShifts(List.of(actions.get(1)), MEMORY);
    assertThat(withoutRouteAction.restore(AlertShiftLog.read(before).values(), T0.plusSeconds(5)))
        .as("fp2's action (on reviews-vs/api) is gone")
        .containsExactly("fp1");
    AlertShifts otherOnly = new AlertShifts(List.of(actions.get(0)), MEMORY);
    assertThat(otherOnly.restore(AlertShiftLog.read(before).values(), T0.plusSeconds(5)))
        .as("an action that shifts the same route to the same subset, but did not match fp1")
        .isEmpty();
    List<RoutingDecision> changesOnly =
        before.stream().filter(d -> d.getAlertShiftsCount() == 0).toList();
    assertThat(AlertShiftLog.read(changesOnly)).as("shift changes without a transition").isEmpty();
  }

  @Test
  void aRestartReadingBackLessThanTheShiftsLasted_findsThemThroughTheirReaffirmations() {
    Duration every = Duration.ofSeconds(4);
    Duration readBack = every.multipliedBy(2);
    Run on = runOn(every);
    assertThat(on.log())
        .as("reaffirmations written: fp2 at its floor from 3 s on, fp1 in its holds")
        .filteredOn(d -> d.getAlertShiftsCount() > 0 && d.getAlertShifts(0).getReaffirmed())
        .hasSizeGreaterThan(20);
    int checked = 0;
    for (long restartMs = 100; restartMs < RUN.toMillis(); restartMs += 500) {
      Instant restart = T0.plusMillis(restartMs);
      List<RoutingDecision> readBackLog =
          on.log().stream()
              .filter(d -> d.getDecidedUnixMillis() < restart.toEpochMilli())
              .filter(d -> d.getDecidedUnixMillis() >= restart.minus(readBack).toEpochMilli())
              .toList();
      AlertShifts restarted = new AlertShifts(actions, MEMORY);
      restarted.restore(AlertShiftLog.read(readBackLog).values(), restart);
      long firstTick = (restartMs / TICK.toMillis() + 1) * TICK.toMillis();
      for (long ms = firstTick; ms <= RUN.toMillis(); ms += TICK.toMillis()) {
        Instant now = T0.plusMillis(ms);
        for (Alert a : events.getOrDefault(ms, List.of())) {
          restarted.receive(a, now);
        }
        assertThat(restarted.advance(now))
            .as("restarted at %d ms reading back %s, shifts at %d ms", restartMs, readBack, ms)
            .isEqualTo(on.shifts().get(ms));
      }
      checked++;
    }
    assertThat(checked).as("restarts checked").isEqualTo(200);

    // Without them, fp2 (at its floor since 3 s) is gone after a restart at 70 s.
    Instant restart = T0.plusSeconds(70);
    List<RoutingDecision> withoutReaffirmations =
        runOn().log().stream()
            .filter(d -> d.getDecidedUnixMillis() < restart.toEpochMilli())
            .filter(d -> d.getDecidedUnixMillis() >= restart.minus(readBack).toEpochMilli())
            .toList();
    assertThat(
            new AlertShifts(actions, MEMORY)
                .restore(AlertShiftLog.read(withoutReaffirmations).values(), restart))
        .as("taken back without reaffirmations")
        .doesNotContain("fp2");
  }

  @Test
  void aReaffirmation_isWrittenOnlyForAShiftUnloggedForItsInterval_andAfterARestoreAtOnce() {
    AlertShifts shifts = new AlertShifts(actions, MEMORY);
    shifts.receive(new Alert("fp2", true, labels("RouteBad", "v3")), T0);
    shifts.advance(T0); // 50 %: its floor, logged as a shift change
    Duration every = Duration.ofSeconds(10);
    assertThat(shifts.reaffirm(T0.plusSeconds(9), every)).as("9 s after its step").isEmpty();
    List<AlertShifts.Reaffirmed> due = shifts.reaffirm(T0.plusSeconds(10), every);
    assertThat(due).as("10 s after its step").hasSize(1);
    AlertShifts.Transition t = due.get(0).transition();
    assertThat(t.at()).as("the time of its firing, not of the reaffirmation").isEqualTo(T0);
    assertThat(t.remainingPercent()).as("percent").isEqualTo(50);
    assertThat(t.actionMatch()).as("its action").isEqualTo(Map.of("alertname", "RouteBad"));
    assertThat(shifts.reaffirm(T0.plusSeconds(19), every)).as("9 s after it").isEmpty();
    assertThat(shifts.reaffirm(T0.plusSeconds(20), every)).as("10 s after it").hasSize(1);

    RoutingDecision record = AlertShiftLog.reaffirmation(due.get(0), T0.plusSeconds(10), false);
    assertThat(record.getShiftChanges(0).getReaffirmed()).as("its shift change").isTrue();
    assertThat(record.getAlertShifts(0).getTransitionUnixMillis())
        .as("transition time")
        .isEqualTo(T0.toEpochMilli());
    AlertShifts.Logged read = AlertShiftLog.read(List.of(record)).get("fp2");
    assertThat(read.transition().at())
        .as("read back: the firing's time (the cycle memory runs from a resolution's)")
        .isEqualTo(T0);
    assertThat(read.transition().startedAt()).as("read back: started").isEqualTo(T0);
    AlertShifts restarted = new AlertShifts(actions, MEMORY);
    assertThat(restarted.restore(AlertShiftLog.read(List.of(record)).values(), T0.plusSeconds(30)))
        .as("taken back from the reaffirmation alone")
        .containsExactly("fp2");
    assertThat(restarted.reaffirm(T0.plusSeconds(30), every))
        .as("written again at once by the instance that took it back")
        .hasSize(1);
  }

  @Test
  void aShiftSteppingSlowly_isWrittenAgain_sinceItsStepsAloneTakeNothingBack() {
    ShiftAction slow =
        new ShiftAction(
            Map.of("alertname", "SlowBad"),
            "destination_service_name",
            "destination_version",
            "v1",
            10,
            0,
            Duration.ofSeconds(2),
            25,
            Duration.ofSeconds(5));
    AlertShifts shifts = new AlertShifts(List.of(slow), MEMORY);
    List<RoutingDecision> log = new ArrayList<>();
    shifts.onTransition(t -> log.add(AlertShiftLog.decision(t, false)));
    shifts.receive(new Alert("fp", true, labels("SlowBad", "v2")), T0);
    Duration every = Duration.ofSeconds(3);
    for (int s = 0; s <= 8; s += 2) {
      Instant now = T0.plusSeconds(s);
      shifts.advance(now).forEach(r -> log.add(shiftChange(r, now)));
      shifts.reaffirm(now, every).forEach(r -> log.add(AlertShiftLog.reaffirmation(r, now, false)));
    }
    assertThat(log)
        .as("its state written again every 3 s or so, between steps every 2 s")
        .filteredOn(d -> d.getAlertShiftsCount() > 0 && d.getAlertShifts(0).getReaffirmed())
        .extracting(RoutingDecision::getDecidedUnixMillis)
        .containsExactly(T0.plusSeconds(4).toEpochMilli(), T0.plusSeconds(8).toEpochMilli());
    List<RoutingDecision> lastSix =
        log.stream()
            .filter(d -> d.getDecidedUnixMillis() >= T0.plusSeconds(3).toEpochMilli())
            .toList();
    AlertShifts restarted = new AlertShifts(List.of(slow), MEMORY);
    assertThat(restarted.restore(AlertShiftLog.read(lastSix).values(), T0.plusSeconds(9)))
        .as("taken back from the last 6 s of the log")
        .containsExactly("fp");
    assertThat(restarted.advance(T0.plusSeconds(10)))
        .as("the next step, as the instance that ran on takes it")
        .isEqualTo(shifts.advance(T0.plusSeconds(10)));
  }

  @Test
  void aReaffirmationOlderThanAFiringOrResolutionReadBefore_isIgnored() {
    AlertShifts shifts = new AlertShifts(actions, MEMORY);
    List<RoutingDecision> log = new ArrayList<>();
    shifts.onTransition(t -> log.add(AlertShiftLog.decision(t, false)));
    shifts.receive(new Alert("fp1", true, labels("CanaryBad", "v2")), T0);
    shifts.advance(T0);
    // The loop's evaluation at 100 s writes the firing shift again; a resolution read on a web
    // thread at 99.9 s takes the lock just before it.
    Instant evaluation = T0.plusSeconds(100);
    List<AlertShifts.Reaffirmed> due = shifts.reaffirm(evaluation, Duration.ofSeconds(60));
    shifts.receive(new Alert("fp1", false, labels("CanaryBad", "v2")), evaluation.minusMillis(100));
    due.forEach(r -> log.add(AlertShiftLog.reaffirmation(r, evaluation, false)));
    AlertShifts.Logged read = AlertShiftLog.read(log).get("fp1");
    assertThat(read.transition().resolved()).as("resolved, as last received").isTrue();
    assertThat(read.reaffirmed()).as("the reaffirmation of the firing is ignored").isFalse();
  }

  @Test
  void aChangeAtTheKnownPercent_isNoStep_andLeavesTheLoggedNextStep() {
    AlertShifts shifts = new AlertShifts(actions, MEMORY);
    List<RoutingDecision> log = new ArrayList<>();
    shifts.onTransition(t -> log.add(AlertShiftLog.decision(t, false)));
    shifts.receive(new Alert("fp1", true, labels("CanaryBad", "v2")), T0);
    for (int s = 0; s <= 4; s++) {
      Instant now = T0.plusSeconds(s);
      shifts.advance(now).forEach(r -> log.add(shiftChange(r, now)));
    }
    // Resolved with no cycle: restore held 5 s, to 10 s. A restart at 7 s takes it back, writes
    // it again, and its first evaluation writes its percent, which its policy state lacked.
    shifts.receive(new Alert("fp1", false, labels("CanaryBad", "v2")), T0.plusSeconds(5));
    Instant restart = T0.plusSeconds(7);
    AlertShifts first = new AlertShifts(actions, MEMORY);
    first.restore(AlertShiftLog.read(log).values(), restart);
    first
        .reaffirm(restart, Duration.ofMinutes(5))
        .forEach(r -> log.add(AlertShiftLog.reaffirmation(r, restart, false)));
    first.advance(restart).forEach(r -> log.add(shiftChange(r, restart)));
    AlertShifts second = new AlertShifts(actions, MEMORY);
    second.restore(AlertShiftLog.read(log).values(), T0.plusSeconds(8));
    assertThat(second.advance(T0.plusSeconds(9)))
        .as("still held at 9 s after a second restart")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(0);
    assertThat(second.advance(T0.plusSeconds(10)))
        .as("the first step back at 10 s, when the hold that began at the resolution ends")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(25);
  }
}
