package io.meshpulse.xds.shift;

import io.meshpulse.xds.policy.RouteShift;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shifts alerts hold, by fingerprint. Alerts arrive on web threads ({@link #receive}); the
 * control loop advances them once per evaluation ({@link #advance}). Receiving is idempotent: a
 * repeated firing (or resolved) notification of the same fingerprint changes nothing.
 */
public final class AlertShifts {
  private final List<ShiftAction> actions;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final Map<String, AlertShift> shifts = new LinkedHashMap<>();

  public AlertShifts(List<ShiftAction> actions) {
    this.actions = List.copyOf(actions);
  }

  /** What receiving one alert did. */
  public enum Outcome {
    /** A new shift started, or a resolved one fired again. */
    STARTED,
    /** The alert resolved: its shift is being undone step by step. */
    RESTORING,
    /** A repeat of what is already known. */
    UNCHANGED,
    /** No action matches the alert, or it lacks the service or subset label. */
    IGNORED
  }

  public Outcome receive(Alert alert, Instant now) {
    synchronized (lock) {
      AlertShift known = shifts.get(alert.fingerprint());
      if (known != null) {
        if (known.firing() == alert.firing()) {
          return Outcome.UNCHANGED;
        }
        shifts.put(alert.fingerprint(), known.withFiring(alert.firing(), now));
        return alert.firing() ? Outcome.STARTED : Outcome.RESTORING;
      }
      if (!alert.firing()) {
        return Outcome.UNCHANGED;
      }
      Optional<ShiftAction> action =
          actions.stream().filter(a -> a.matches(alert.labels())).findFirst();
      if (action.isEmpty()) {
        return Outcome.IGNORED;
      }
      String service = alert.labels().get(action.get().serviceLabel());
      String subset = alert.labels().get(action.get().subsetLabel());
      if (service == null
          || subset == null
          || service.isBlank()
          || subset.equals(action.get().shiftTo())) {
        return Outcome.IGNORED;
      }
      shifts.put(
          alert.fingerprint(),
          AlertShift.firing(
              alert.fingerprint(),
              alert.labels().getOrDefault("alertname", "?"),
              service,
              subset,
              action.get()));
      return Outcome.STARTED;
    }
  }

  /**
   * Advances every shift one step where its interval has passed and returns those in force. A shift
   * fully restored is returned once more (at 100 %), then forgotten.
   */
  public List<RouteShift> advance(Instant now) {
    List<RouteShift> result = new ArrayList<>();
    synchronized (lock) {
      var it = shifts.entrySet().iterator();
      while (it.hasNext()) {
        var entry = it.next();
        if (entry.getValue().done()) {
          it.remove();
          continue;
        }
        AlertShift next = entry.getValue().advance(now);
        entry.setValue(next);
        result.add(next.toRouteShift());
      }
    }
    return result;
  }

  /** How many alerts hold a shift (firing or restoring). */
  public int active() {
    synchronized (lock) {
      return shifts.size();
    }
  }
}
