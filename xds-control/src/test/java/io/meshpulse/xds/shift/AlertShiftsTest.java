package io.meshpulse.xds.shift;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.xds.policy.RouteShift;
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
  private final AlertShifts shifts = new AlertShifts(List.of(action));
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
    assertThat(shifts.receive(new Alert("d", false, labels), T0))
        .as("a resolved alert never seen firing")
        .isEqualTo(AlertShifts.Outcome.UNCHANGED);
    assertThat(shifts.advance(T0)).as("shifts").isEmpty();
  }
}
