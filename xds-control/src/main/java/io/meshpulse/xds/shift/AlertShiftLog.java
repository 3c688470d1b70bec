package io.meshpulse.xds.shift;

import io.meshpulse.model.v1.AlertShiftState;
import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ShiftChange;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Alert shifts in the decision log: each transition is written as a decision of its own (trigger
 * ALERT, an {@link AlertShiftState}, no change of weight), and a restart reads them back together
 * with the shift changes that followed.
 */
public final class AlertShiftLog {
  private AlertShiftLog() {}

  /** The decision that records a transition. */
  public static RoutingDecision decision(AlertShifts.Transition t, boolean dryRun) {
    return RoutingDecision.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setCluster(t.service())
        .setDecidedUnixMillis(t.at().toEpochMilli())
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_ALERT)
        .setTriggerRef(t.fingerprint())
        .setDryRun(dryRun)
        .addReasons(t.reason() + ": " + t.from() + " keeps " + t.remainingPercent() + " %")
        .addAlertShifts(
            AlertShiftState.newBuilder()
                .setFingerprint(t.fingerprint())
                .setAlertName(t.alertName())
                .setFromSubset(t.from())
                .setToSubset(t.to())
                .setRoute(t.route())
                .setResolved(t.resolved())
                .setCycles(t.cycles())
                .setRemainingPercent(t.remainingPercent())
                .putAllActionMatch(t.actionMatch()))
        .build();
  }

  /**
   * The alert shifts the log knows, by fingerprint, in the order their shifts started: each one's
   * latest transition and the percent its shift changes left it at. A shift change with no
   * transition before it in the log (the transition is older than what was read) is not enough to
   * take a shift back, and is skipped.
   *
   * @param decisions the log's decisions, in any order
   */
  public static Map<String, AlertShifts.Logged> read(List<RoutingDecision> decisions) {
    Map<String, AlertShifts.Logged> logged = new LinkedHashMap<>();
    List<RoutingDecision> ordered =
        decisions.stream()
            .filter(d -> d.getAlertShiftsCount() > 0 || d.getShiftChangesCount() > 0)
            .sorted(Comparator.comparingLong(RoutingDecision::getDecidedUnixMillis))
            .toList();
    for (RoutingDecision d : ordered) {
      Instant at = Instant.ofEpochMilli(d.getDecidedUnixMillis());
      for (AlertShiftState s : d.getAlertShiftsList()) {
        int percent = s.getRemainingPercent();
        if (percent < 0 || percent > 100 || s.getFromSubset().equals(s.getToSubset())) {
          continue; // not a shift any version writes
        }
        AlertShifts.Transition t =
            new AlertShifts.Transition(
                s.getFingerprint(),
                s.getAlertName(),
                d.getCluster(),
                s.getFromSubset(),
                s.getToSubset(),
                s.getRoute(),
                s.getResolved(),
                Math.max(0, s.getCycles()),
                percent,
                d.getReasonsCount() > 0 ? d.getReasons(0) : "",
                at,
                s.getActionMatchMap());
        AlertShifts.Logged before = logged.get(s.getFingerprint());
        if (before != null && before.transition().resolved() && before.remainingPercent() >= 100) {
          // Restored and forgotten before this new start: it comes after the shifts held since,
          // as it does in the instance that logged it.
          logged.remove(s.getFingerprint());
        }
        logged.put(s.getFingerprint(), new AlertShifts.Logged(t, percent, null));
      }
      for (ShiftChange c : d.getShiftChangesList()) {
        AlertShifts.Logged known = logged.get(c.getRef());
        int percent = c.getRemainingPercent();
        if (known == null || percent < 0 || percent > 100) {
          continue;
        }
        logged.put(c.getRef(), new AlertShifts.Logged(known.transition(), percent, at));
      }
    }
    return logged;
  }
}
