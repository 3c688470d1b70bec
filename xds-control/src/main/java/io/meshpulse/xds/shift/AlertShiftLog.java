package io.meshpulse.xds.shift;

import io.meshpulse.model.v1.AlertShiftState;
import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ShiftChange;
import io.meshpulse.xds.decision.DecisionMapper;
import io.meshpulse.xds.policy.RouteShift;
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
    return builder(t, t.at(), dryRun)
        .addReasons(t.reason() + ": " + t.from() + " keeps " + t.remainingPercent() + " %")
        .addAlertShifts(state(t))
        .build();
  }

  /**
   * The decision that writes a shift again unchanged at {@code now}: its state, and a reaffirmed
   * {@link ShiftChange} of the same ref (the percent a restart's policy state starts from).
   */
  public static RoutingDecision reaffirmation(
      AlertShifts.Reaffirmed r, Instant now, boolean dryRun) {
    AlertShifts.Transition t = r.transition();
    return builder(t, now, dryRun)
        .addReasons(
            t.reason()
                + " since "
                + t.at()
                + ": "
                + t.from()
                + " keeps "
                + t.remainingPercent()
                + " %, written again so that a restart finds it")
        .addAlertShifts(
            state(t)
                .setReaffirmed(true)
                .setTransitionUnixMillis(t.at().toEpochMilli())
                .setNextStepUnixMillis(r.nextStepAt() == null ? 0 : r.nextStepAt().toEpochMilli()))
        .addShiftChanges(
            DecisionMapper.shiftChange(
                    new RouteShift(
                        t.fingerprint(),
                        t.service(),
                        t.from(),
                        t.to(),
                        t.remainingPercent(),
                        t.reason(),
                        t.route()))
                .setReaffirmed(true))
        .build();
  }

  private static RoutingDecision.Builder builder(
      AlertShifts.Transition t, Instant decided, boolean dryRun) {
    return RoutingDecision.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setCluster(t.service())
        .setDecidedUnixMillis(decided.toEpochMilli())
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_ALERT)
        .setTriggerRef(t.fingerprint())
        .setDryRun(dryRun);
  }

  private static AlertShiftState.Builder state(AlertShifts.Transition t) {
    return AlertShiftState.newBuilder()
        .setFingerprint(t.fingerprint())
        .setAlertName(t.alertName())
        .setFromSubset(t.from())
        .setToSubset(t.to())
        .setRoute(t.route())
        .setResolved(t.resolved())
        .setCycles(t.cycles())
        .setRemainingPercent(t.remainingPercent())
        .setStartedUnixMillis(t.startedAt().toEpochMilli())
        .putAllActionMatch(t.actionMatch());
  }

  /**
   * The alert shifts the log knows, by fingerprint, in the order their shifts started: each one's
   * latest transition and the percent its shift changes left it at. A shift change with no
   * transition before it in the log (the transition is older than what was read) is not enough to
   * take a shift back, and is skipped. A reaffirmation (a shift written again unchanged) gives the
   * shift's state as its writer held it, its transition's time included.
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
      Instant decided = Instant.ofEpochMilli(d.getDecidedUnixMillis());
      for (AlertShiftState s : d.getAlertShiftsList()) {
        int percent = s.getRemainingPercent();
        if (percent < 0 || percent > 100 || s.getFromSubset().equals(s.getToSubset())) {
          continue; // not a shift any version writes
        }
        Instant at =
            s.getReaffirmed() && s.getTransitionUnixMillis() > 0
                ? Instant.ofEpochMilli(s.getTransitionUnixMillis())
                : decided;
        AlertShifts.Logged before = logged.get(s.getFingerprint());
        if (s.getReaffirmed() && before != null && at.isBefore(before.transition().at())) {
          // Written by the loop with its evaluation's time, just after a newer firing or
          // resolution taken at an earlier instant on a web thread: it is older than that.
          continue;
        }
        if (before != null && before.transition().resolved() && before.remainingPercent() >= 100) {
          // Restored and forgotten before this new start: it comes after the shifts held since,
          // as it does in the instance that logged it.
          logged.remove(s.getFingerprint());
          before = null;
        }
        Instant started =
            s.getStartedUnixMillis() > 0
                ? Instant.ofEpochMilli(s.getStartedUnixMillis())
                : before != null ? before.transition().startedAt() : decided;
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
                started,
                s.getActionMatchMap());
        Instant next =
            s.getReaffirmed() && s.getNextStepUnixMillis() > 0
                ? Instant.ofEpochMilli(s.getNextStepUnixMillis())
                : null;
        logged.put(
            s.getFingerprint(), new AlertShifts.Logged(t, percent, null, s.getReaffirmed(), next));
      }
      for (ShiftChange c : d.getShiftChangesList()) {
        AlertShifts.Logged known = logged.get(c.getRef());
        int percent = c.getRemainingPercent();
        if (known == null
            || c.getReaffirmed()
            || percent == known.remainingPercent()
            || percent < 0
            || percent > 100) {
          // A reaffirmed change goes with its AlertShiftState, read above. One at the percent
          // already known is no step: the first evaluation after a restart writes the percents
          // of the shifts it took back that its policy state lacked.
          continue;
        }
        logged.put(c.getRef(), new AlertShifts.Logged(known.transition(), percent, decided));
      }
    }
    // In the order the shifts started, as they apply (a reaffirmation may be a shift's first
    // record in what was read, after those of shifts that started later).
    Map<String, AlertShifts.Logged> inOrder = new LinkedHashMap<>();
    logged.values().stream()
        .sorted(Comparator.comparing(l -> l.transition().startedAt()))
        .forEach(l -> inOrder.put(l.transition().fingerprint(), l));
    return inOrder;
  }
}
