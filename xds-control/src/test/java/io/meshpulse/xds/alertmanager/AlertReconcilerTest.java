package io.meshpulse.xds.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.shift.ActiveAlert;
import io.meshpulse.xds.shift.Alert;
import io.meshpulse.xds.shift.AlertShifts;
import io.meshpulse.xds.shift.ShiftAction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertReconcilerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Map<String, String> LABELS =
      Map.of(
          "alertname",
          "CanaryBad",
          "destination_service_name",
          "reviews",
          "destination_version",
          "v2");

  /** An Alertmanager that answers from a script: a list of alerts, or a failure. */
  private static final class FakeAlertmanager implements AlertmanagerApi {
    private final String name;
    private List<ActiveAlert> alerts = List.of();
    private IOException failure;
    private Optional<Instant> startedAt = Optional.empty();
    int calls;

    FakeAlertmanager(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public List<ActiveAlert> activeAlerts() throws IOException {
      calls++;
      if (failure != null) {
        throw failure;
      }
      return alerts;
    }

    @Override
    public Optional<Instant> startedAt() {
      return startedAt;
    }
  }

  private final AlertShifts shifts =
      new AlertShifts(
          List.of(
              new ShiftAction(
                  Map.of("alertname", "CanaryBad"),
                  "destination_service_name",
                  "destination_version",
                  "v1",
                  50,
                  0,
                  Duration.ofSeconds(1),
                  25,
                  Duration.ofSeconds(5))),
          Duration.ofMinutes(30));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeAlertmanager first = new FakeAlertmanager("http://am-0:9093");
  private final FakeAlertmanager second = new FakeAlertmanager("http://am-1:9093");
  private final List<String> evaluations = new ArrayList<>();
  private Instant now = T0.plusSeconds(60);
  private final AlertReconciler reconciler =
      new AlertReconciler(
          List.of(first, second),
          shifts,
          () -> evaluations.add("evaluate"),
          new Clock() {
            @Override
            public Instant instant() {
              return now;
            }

            @Override
            public java.time.ZoneId getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
              return this;
            }
          },
          registry,
          Duration.ofMinutes(5),
          Duration.ofMinutes(5));

  private double count(String name, String tag, String value) {
    return registry.counter(name, tag, value).count();
  }

  private List<RouteShift> inForce() {
    return shifts.advance(now);
  }

  @Test
  void anActiveAlert_startsItsShift_andAsksForAnEvaluation() {
    first.alerts = List.of(new ActiveAlert("fp", LABELS, T0));
    assertThat(reconciler.reconcileOnce()).as("answered").isPresent();
    assertThat(inForce())
        .as("60 s after startsAt the 50 %% steps reached the floor")
        .extracting(RouteShift::remainingPercent)
        .containsExactly(0);
    assertThat(evaluations).as("evaluations requested").hasSize(1);
    assertThat(count("meshpulse.alerts.reconcile", "outcome", "success")).isEqualTo(1);
    assertThat(count("meshpulse.alerts.reconciled", "change", "started")).isEqualTo(1);
    assertThat(second.calls).as("the second member is not asked").isZero();
  }

  @Test
  void anUnreachableAlertmanager_changesNothing_andIsCounted() {
    shifts.receive(new Alert("fp", true, LABELS), T0);
    first.failure = new IOException("Connection refused");
    second.failure = new IOException("HTTP 503: not ready");
    for (int i = 0; i < 3; i++) {
      now = now.plusSeconds(60);
      assertThat(reconciler.reconcileOnce()).as("no answer %d", i).isEmpty();
    }
    assertThat(inForce())
        .as("the firing shift, though no answer listed its alert")
        .extracting(RouteShift::remainingPercent, RouteShift::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(50, "alert CanaryBad firing"));
    assertThat(count("meshpulse.alerts.reconcile", "outcome", "failure")).isEqualTo(3);
    assertThat(count("meshpulse.alerts.reconcile", "outcome", "success")).isZero();
    assertThat(evaluations).as("evaluations requested").isEmpty();
  }

  @Test
  void failedAnswers_neitherCountAsMissingNorBreakTheSuccession() {
    shifts.receive(new Alert("fp", true, LABELS), T0);
    reconciler.reconcileOnce(); // missing once
    first.failure = new IOException("timeout");
    second.failure = new IOException("timeout");
    reconciler.reconcileOnce();
    reconciler.reconcileOnce();
    assertThat(shifts.reconcile(List.of(new ActiveAlert("fp", LABELS, T0)), now).resolved())
        .as("still firing after one missing and two failures")
        .isEmpty();
    first.failure = null;
    reconciler.reconcileOnce();
    assertThat(reconciler.reconcileOnce().orElseThrow().resolved())
        .as("two successive answers without it")
        .containsExactly("fp");
    assertThat(count("meshpulse.alerts.reconciled", "change", "resolved")).isEqualTo(1);
  }

  @Test
  void aMemberThatFails_isSkippedForTheNextOne() {
    first.failure = new IOException("Connection refused");
    second.alerts = List.of(new ActiveAlert("fp", LABELS, T0));
    assertThat(reconciler.reconcileOnce().orElseThrow().started())
        .as("started from the second member's answer")
        .containsExactly("fp");
    assertThat(count("meshpulse.alerts.reconcile", "outcome", "success")).isEqualTo(1);
    assertThat(count("meshpulse.alerts.reconcile", "outcome", "failure")).isZero();
  }

  @Test
  void aFreshlyStartedAlertmanager_startsShifts_butResolvesNone() {
    first.alerts = List.of(new ActiveAlert("fp", LABELS, T0));
    reconciler.reconcileOnce();
    // Alertmanager restarts: it lists nothing until Prometheus sends its alerts again.
    first.alerts = List.of();
    first.startedAt = Optional.of(now.minusSeconds(30));
    for (int i = 0; i < 3; i++) {
      now = now.plusSeconds(60);
      assertThat(reconciler.reconcileOnce())
          .as(
              "answer %d of an Alertmanager up for %s",
              i, Duration.between(first.startedAt.get(), now))
          .hasValueSatisfying(r -> assertThat(r.resolved()).isEmpty());
    }
    assertThat(inForce())
        .as("the shift holds")
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("firing"));
    assertThat(count("meshpulse.alerts.reconcile", "outcome", "success_fresh")).isEqualTo(3);

    now = now.plusSeconds(120);
    assertThat(reconciler.reconcileOnce())
        .as("up for 5.5 min: the first answer that counts")
        .hasValueSatisfying(r -> assertThat(r.resolved()).isEmpty());
    now = now.plusSeconds(60);
    assertThat(reconciler.reconcileOnce())
        .as("the second answer without the alert")
        .hasValueSatisfying(r -> assertThat(r.resolved()).containsExactly("fp"));
  }

  @Test
  void aSilencedAlert_keepsItsShift_butStartsNone() {
    first.alerts = List.of(new ActiveAlert("fp", LABELS, T0));
    reconciler.reconcileOnce();
    first.alerts =
        List.of(
            new ActiveAlert("fp", LABELS, T0, true),
            new ActiveAlert(
                "fp2",
                Map.of(
                    "alertname",
                    "CanaryBad",
                    "destination_service_name",
                    "ratings",
                    "destination_version",
                    "v2"),
                T0,
                true));
    for (int i = 0; i < 3; i++) {
      now = now.plusSeconds(60);
      assertThat(reconciler.reconcileOnce())
          .as("answer %d listing both alerts silenced", i)
          .hasValueSatisfying(
              r -> {
                assertThat(r.resolved()).as("resolved").isEmpty();
                assertThat(r.started()).as("started").isEmpty();
              });
    }
    assertThat(inForce()).as("only the shift from before the silence").hasSize(1);
  }
}
