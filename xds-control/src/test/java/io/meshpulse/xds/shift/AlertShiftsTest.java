package io.meshpulse.xds.shift;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologyParser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertShiftsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final ShiftAction action =
      new ShiftAction(
          Map.of("alertname", "CanaryBad"),
          "destination_service_name",
          "destination_version",
          "v1",
          50,
          0,
          Duration.ofSeconds(1),
          25,
          Duration.ofSeconds(5));
  private final AlertShifts shifts = new AlertShifts(List.of(action), Duration.ofMinutes(30));
  private final Map<String, String> labels =
      Map.of(
          "alertname",
          "CanaryBad",
          "destination_service_name",
          "reviews",
          "destination_version",
          "v2");

  private List<Integer> remaining(Instant at) {
    return shifts.advance(at).stream().map(RouteShift::remainingPercent).toList();
  }

  @Test
  void aFiringAlert_stepsDownToTheFloor_andRepeatsChangeNothing() {
    assertThat(shifts.receive(new Alert("fp", true, labels), T0))
        .as("first notification")
        .isEqualTo(AlertShifts.Outcome.STARTED);
    assertThat(remaining(T0)).as("first step at once").containsExactly(50);
    assertThat(shifts.receive(new Alert("fp", true, labels), T0.plusMillis(100)))
        .as("repeat")
        .isEqualTo(AlertShifts.Outcome.UNCHANGED);
    assertThat(remaining(T0.plusMillis(500))).as("before the step interval").containsExactly(50);
    assertThat(remaining(T0.plusSeconds(1))).as("second step").containsExactly(0);
    assertThat(remaining(T0.plusSeconds(2))).as("at the floor").containsExactly(0);
    shifts.advance(T0.plusSeconds(3));
    assertThat(shifts.advance(T0.plusSeconds(3)).get(0))
        .as("the route shift")
        .isEqualTo(new RouteShift("fp", "reviews", "v2", "v1", 0, "alert CanaryBad firing"));
  }

  @Test
  void aResolvedAlert_restoresStepByStep_thenIsForgotten() {
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.advance(T0);
    shifts.advance(T0.plusSeconds(1));
    assertThat(shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(2)))
        .as("resolved")
        .isEqualTo(AlertShifts.Outcome.RESTORING);
    assertThat(shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(2)))
        .as("resolved again")
        .isEqualTo(AlertShifts.Outcome.UNCHANGED);
    assertThat(remaining(T0.plusSeconds(3))).as("waits a restore interval").containsExactly(0);
    assertThat(remaining(T0.plusSeconds(7))).containsExactly(25);
    assertThat(remaining(T0.plusSeconds(12))).containsExactly(50);
    assertThat(remaining(T0.plusSeconds(17))).containsExactly(75);
    assertThat(remaining(T0.plusSeconds(22))).as("restored").containsExactly(100);
    assertThat(remaining(T0.plusSeconds(23))).as("then forgotten").isEmpty();
    assertThat(shifts.active()).as("active").isZero();
  }

  @Test
  void alertsNamingAServiceOrSubsetTheTopologyLacks_areIgnored() throws Exception {
    Topology topology =
        TopologyParser.parse(
            "t",
            """
            services:
              - name: reviews
                port: 9080
                subsets:
                  - name: v1
                    endpoints: [{address: 10.0.0.1, port: 9080}]
                  - name: canary
                    labels: {version: v2}
                    endpoints: [{address: 10.0.0.2, port: 9080}]
            """);
    shifts.checkAgainst(() -> topology);
    assertThat(
            shifts.receive(
                new Alert("unknown-service", true, with("destination_service_name", "ratings")),
                T0))
        .as("a service the topology lacks")
        .isEqualTo(AlertShifts.Outcome.IGNORED);
    assertThat(
            shifts.receive(
                new Alert("unknown-subset", true, with("destination_version", "v9")), T0))
        .as("a subset its service lacks")
        .isEqualTo(AlertShifts.Outcome.IGNORED);
    assertThat(shifts.active()).as("no shift of nothing").isZero();
    assertThat(
            shifts
                .reconcile(
                    List.of(
                        new ActiveAlert(
                            "unknown-subset", with("destination_version", "v9"), T0, false)),
                    T0)
                .started())
        .as("nor from Alertmanager's list")
        .isEmpty();
    assertThat(shifts.receive(new Alert("fp", true, labels), T0))
        .as("the subset whose version label the alert names")
        .isEqualTo(AlertShifts.Outcome.STARTED);
  }

  private Map<String, String> with(String label, String value) {
    Map<String, String> m = new java.util.HashMap<>(labels);
    m.put(label, value);
    return m;
  }

  @Test
  void whileThePipelineIsSilent_aResolvedShiftHolds_andItsWaitStartsAgainWhenItSpeaks() {
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.advance(T0);
    assertThat(shifts.advance(T0.plusSeconds(1), true))
        .as("a firing shift steps on down while the pipeline is silent")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(0);
    // Resolved at 2 s (its wait: one restore interval, 5 s), in a silence from 1 s to 20 s.
    shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(2));
    for (int s = 2; s <= 20; s++) {
      assertThat(shifts.advance(T0.plusSeconds(s), true))
          .as("held at %d s, in the silence", s)
          .extracting(RouteShift::remainingPercent)
          .containsExactly(0);
    }
    assertThat(shifts.reaffirm(T0.plusSeconds(20), Duration.ofHours(1)))
        .as("not written again during the silence")
        .isEmpty();
    assertThat(remaining(T0.plusSeconds(21))).as("1 s after the silence").containsExactly(0);
    assertThat(shifts.reaffirm(T0.plusSeconds(21), Duration.ofHours(1)))
        .as("written again when it ends, with its next step moved")
        .extracting(AlertShifts.Reaffirmed::nextStepAt)
        .containsExactly(T0.plusSeconds(25));
    assertThat(remaining(T0.plusSeconds(24))).as("4 s after the silence").containsExactly(0);
    assertThat(remaining(T0.plusSeconds(25)))
        .as("the first step back, a restore interval after the silence")
        .containsExactly(25);
    assertThat(remaining(T0.plusSeconds(30))).as("then on").containsExactly(50);
  }

  @Test
  void aResolutionInASilence_isNoCycle_whenTheAlertFiresAgainAfterIt() {
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.advance(T0);
    shifts.advance(T0.plusSeconds(1), true);
    shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(2));
    shifts.advance(T0.plusSeconds(3), false);
    assertThat(shifts.receive(new Alert("fp", true, labels), T0.plusSeconds(4)))
        .as("firing again once the telemetry is back")
        .isEqualTo(AlertShifts.Outcome.STARTED);
    assertThat(shifts.advance(T0.plusSeconds(4)).get(0).reason())
        .as("no cycle counted")
        .isEqualTo("alert CanaryBad firing");
    shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(5));
    assertThat(shifts.advance(T0.plusSeconds(6)).get(0).reason())
        .as("so its hold is one restore interval")
        .isEqualTo("alert CanaryBad resolved");
    assertThat(remaining(T0.plusSeconds(9))).as("held at 9 s").containsExactly(0);
    assertThat(remaining(T0.plusSeconds(10))).as("first step back at 10 s").containsExactly(25);
  }

  @Test
  void unmatchedAlerts_andAlertsWithoutTheLabels_orOnTheTargetSubset_areIgnored() {
    assertThat(shifts.receive(new Alert("a", true, Map.of("alertname", "Other")), T0))
        .isEqualTo(AlertShifts.Outcome.IGNORED);
    assertThat(shifts.receive(new Alert("b", true, Map.of("alertname", "CanaryBad")), T0))
        .isEqualTo(AlertShifts.Outcome.IGNORED);
    assertThat(
            shifts.receive(
                new Alert(
                    "c",
                    true,
                    Map.of(
                        "alertname",
                        "CanaryBad",
                        "destination_service_name",
                        "reviews",
                        "destination_version",
                        "v1")),
                T0))
        .isEqualTo(AlertShifts.Outcome.IGNORED);
    assertThat(
            shifts.receive(
                new Alert(
                    "e",
                    true,
                    Map.of(
                        "alertname",
                        "CanaryBad",
                        "destination_service_name",
                        "reviews",
                        "destination_version",
                        " ")),
                T0))
        .as("a blank subset")
        .isEqualTo(AlertShifts.Outcome.IGNORED);
    assertThat(shifts.receive(new Alert("d", false, labels), T0))
        .as("a resolved alert never seen firing")
        .isEqualTo(AlertShifts.Outcome.UNCHANGED);
    assertThat(shifts.advance(T0)).as("shifts").isEmpty();
  }

  // A slower action for the reconciliation tests: 25 % every 10 s, back 25 % every 5 s.
  private final ShiftAction slow =
      new ShiftAction(
          Map.of("alertname", "CanarySlow"),
          "destination_service_name",
          "destination_version",
          "v1",
          25,
          0,
          Duration.ofSeconds(10),
          25,
          Duration.ofSeconds(5));
  private final Map<String, String> slowLabels =
      Map.of(
          "alertname",
          "CanarySlow",
          "destination_service_name",
          "reviews",
          "destination_version",
          "v2");

  @Test
  void reconcile_startsAnActiveAlertWithoutAShift_whereItWouldBeHadItBeenReceivedAtItsStart() {
    AlertShifts restarted = new AlertShifts(List.of(slow), Duration.ofMinutes(30));
    Instant now = T0.plusSeconds(25);
    AlertShifts.Reconciled r =
        restarted.reconcile(List.of(new ActiveAlert("fp", slowLabels, T0)), now);
    assertThat(r.started()).as("started").containsExactly("fp");
    assertThat(restarted.advance(now))
        .as("steps at 0 s, 10 s and 20 s since startsAt: 100 - 3 x 25")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(25);
    assertThat(restarted.advance(T0.plusSeconds(29)))
        .as("the next step stays on the alert's schedule (due at 30 s)")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(25);
    assertThat(restarted.advance(T0.plusSeconds(30)))
        .as("at 30 s")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(0);
    assertThat(restarted.reconcile(List.of(new ActiveAlert("fp", slowLabels, T0)), now).started())
        .as("a shift already held is not started again")
        .isEmpty();
  }

  @Test
  void reconcile_ofAnAlertFiringLongSinceItsStart_startsAtTheFloor() {
    AlertShifts restarted = new AlertShifts(List.of(slow), Duration.ofMinutes(30));
    Instant now = T0.plus(Duration.ofHours(4));
    restarted.reconcile(List.of(new ActiveAlert("fp", slowLabels, T0)), now);
    assertThat(restarted.advance(now))
        .as("four hours after startsAt")
        .extracting(RouteShift::remainingPercent, RouteShift::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "alert CanarySlow firing"));
  }

  @Test
  void reconcile_ofAnAlertStartingNowOrAheadOfThisClock_takesTheFirstStepOnly() {
    AlertShifts restarted = new AlertShifts(List.of(slow), Duration.ofMinutes(30));
    restarted.reconcile(List.of(new ActiveAlert("fp", slowLabels, T0.plusSeconds(60))), T0);
    assertThat(restarted.advance(T0))
        .as("first step, as a received firing notification")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(75);
  }

  @Test
  void reconcile_ignoresActiveAlertsNoActionMatches() {
    AlertShifts.Reconciled r =
        shifts.reconcile(
            List.of(new ActiveAlert("other", Map.of("alertname", "Other"), T0)), T0.plusSeconds(1));
    assertThat(r.started()).as("started").isEmpty();
    assertThat(shifts.active()).as("active").isZero();
  }

  @Test
  void aFiringShiftMissingFromOneAnswer_keepsFiring() {
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.advance(T0);
    shifts.advance(T0.plusSeconds(1));
    assertThat(shifts.reconcile(List.of(), T0.plusSeconds(60)).resolved())
        .as("resolved after one answer without it")
        .isEmpty();
    assertThat(shifts.advance(T0.plusSeconds(600)))
        .as("still firing at the floor long after")
        .extracting(RouteShift::remainingPercent, RouteShift::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "alert CanaryBad firing"));
  }

  @Test
  void aFiringShiftMissingFromTwoSuccessiveAnswers_resolves_andRestoresStepByStep() {
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.advance(T0);
    shifts.advance(T0.plusSeconds(1));
    shifts.reconcile(List.of(), T0.plusSeconds(60));
    AlertShifts.Reconciled second = shifts.reconcile(List.of(), T0.plusSeconds(120));
    assertThat(second.resolved()).as("resolved by the second answer").containsExactly("fp");
    assertThat(remaining(T0.plusSeconds(121))).as("waits a restore interval").containsExactly(0);
    assertThat(remaining(T0.plusSeconds(125))).as("first step back").containsExactly(25);
    assertThat(shifts.advance(T0.plusSeconds(126)).get(0).reason())
        .as("reason")
        .isEqualTo("alert CanaryBad resolved");
    assertThat(shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(127)))
        .as("the late resolved notification")
        .isEqualTo(AlertShifts.Outcome.UNCHANGED);
    assertThat(shifts.reconcile(List.of(), T0.plusSeconds(180)).resolved())
        .as("a restoring shift is not resolved again")
        .isEmpty();
  }

  @Test
  void anAnswerListingTheAlertAgain_startsTheCountOfMissingAnswersAnew() {
    ActiveAlert listed = new ActiveAlert("fp", labels, T0);
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.reconcile(List.of(), T0.plusSeconds(60));
    shifts.reconcile(List.of(listed), T0.plusSeconds(120));
    assertThat(shifts.reconcile(List.of(), T0.plusSeconds(180)).resolved())
        .as("missing, listed, missing")
        .isEmpty();
    assertThat(shifts.reconcile(List.of(), T0.plusSeconds(240)).resolved())
        .as("missing twice in a row")
        .containsExactly("fp");
  }

  /** Fires at {@code firing}, resolves at {@code resolving}: when is the first step back? */
  private Instant firstStepBack(Instant firing, Instant resolving) {
    shifts.receive(new Alert("fp", true, labels), firing);
    shifts.advance(firing);
    shifts.advance(firing.plusSeconds(1));
    shifts.receive(new Alert("fp", false, labels), resolving);
    for (int s = 0; s < 600; s++) {
      Instant at = resolving.plusSeconds(s);
      if (remaining(at).equals(List.of(25))) {
        // Finish the restore, so the next cycle starts from a forgotten shift.
        for (int k = 1; k <= 200 && shifts.active() > 0; k++) {
          shifts.advance(at.plusSeconds(k));
        }
        return at;
      }
    }
    throw new AssertionError("never stepped back");
  }

  @Test
  void anAlertCyclingWithinTheMemory_waitsTwiceAsLongPerCycleBeforeRestoring_upTo16Times() {
    List<Long> waits = new java.util.ArrayList<>();
    Instant t = T0;
    for (int cycle = 0; cycle < 7; cycle++) {
      Instant resolving = t.plusSeconds(2);
      waits.add(Duration.between(resolving, firstStepBack(t, resolving)).toSeconds());
      t = resolving.plus(Duration.ofMinutes(5));
    }
    assertThat(waits)
        .as("seconds from each resolution to its first step back (restore interval 5 s)")
        .containsExactly(5L, 10L, 20L, 40L, 80L, 80L, 80L);
  }

  @Test
  void theRestoreWait_isInTheShiftsReason() {
    firstStepBack(T0, T0.plusSeconds(2));
    shifts.receive(new Alert("fp", true, labels), T0.plusSeconds(100));
    shifts.advance(T0.plusSeconds(100));
    shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(102));
    assertThat(shifts.advance(T0.plusSeconds(103)).get(0).reason())
        .as("reason while the restore is held")
        .isEqualTo("alert CanaryBad resolved, restore held 10s after 1 cycle");
  }

  @Test
  void anAlertFiringAgainWhileRestoring_countsACycleToo() {
    shifts.receive(new Alert("fp", true, labels), T0);
    shifts.advance(T0);
    shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(2));
    assertThat(remaining(T0.plusSeconds(7))).as("first step back").containsExactly(75);
    shifts.receive(new Alert("fp", true, labels), T0.plusSeconds(8));
    assertThat(remaining(T0.plusSeconds(8))).as("down again at once").containsExactly(25);
    shifts.receive(new Alert("fp", false, labels), T0.plusSeconds(9));
    assertThat(remaining(T0.plusSeconds(14))).as("5 s after: still held").containsExactly(25);
    assertThat(remaining(T0.plusSeconds(19))).as("10 s after").containsExactly(50);
  }

  @Test
  void anAlertFiringAgainAfterTheMemory_waitsOneRestoreIntervalAgain() {
    Instant resolving = T0.plusSeconds(2);
    firstStepBack(T0, resolving);
    Instant later = resolving.plus(Duration.ofMinutes(31));
    Instant resolvingAgain = later.plusSeconds(2);
    assertThat(Duration.between(resolvingAgain, firstStepBack(later, resolvingAgain)))
        .as("wait after a firing 31 minutes after the last resolution (memory 30 min)")
        .isEqualTo(Duration.ofSeconds(5));
  }
}
