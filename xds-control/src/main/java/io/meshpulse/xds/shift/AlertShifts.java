package io.meshpulse.xds.shift;

import io.meshpulse.xds.policy.RouteShift;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shifts alerts hold, by fingerprint. Alerts arrive on web threads ({@link #receive}) and from
 * Alertmanager's list of active alerts ({@link #reconcile}); the control loop advances them once
 * per evaluation ({@link #advance}). Receiving is idempotent: a repeated firing (or resolved)
 * notification of the same fingerprint changes nothing.
 *
 * <p>An alert that fires again within {@code cycleMemory} of its last resolution counts a cycle;
 * each cycle doubles the wait before its next restore starts (up to 16 × the restore interval).
 */
public final class AlertShifts {
  /** Successive answers of Alertmanager a firing shift's alert must be missing from to resolve. */
  public static final int ABSENCES_TO_RESOLVE = 2;

  private final List<ShiftAction> actions;
  private final Duration cycleMemory;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final Map<String, AlertShift> shifts = new LinkedHashMap<>();

  // @GuardedBy("lock"): successive answers a firing shift's alert was missing from
  private final Map<String, Integer> absences = new HashMap<>();

  // @GuardedBy("lock"): each fingerprint's last resolution, for the cycle memory
  private final Map<String, Resolution> resolutions = new HashMap<>();

  private record Resolution(Instant at, int cycles) {}

  /**
   * @param cycleMemory how long after a resolution a new firing counts as a cycle (zero: never)
   */
  public AlertShifts(List<ShiftAction> actions, Duration cycleMemory) {
    if (cycleMemory.isNegative()) {
      throw new IllegalArgumentException("cycle-memory must not be negative: " + cycleMemory);
    }
    this.actions = List.copyOf(actions);
    this.cycleMemory = cycleMemory;
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

  /**
   * What one answer of Alertmanager changed: the fingerprints whose shift it started and those it
   * resolved.
   */
  public record Reconciled(List<String> started, List<String> resolved) {
    public Reconciled {
      started = List.copyOf(started);
      resolved = List.copyOf(resolved);
    }
  }

  public Outcome receive(Alert alert, Instant now) {
    synchronized (lock) {
      AlertShift known = shifts.get(alert.fingerprint());
      if (known != null) {
        if (known.firing() == alert.firing()) {
          return Outcome.UNCHANGED;
        }
        if (alert.firing()) {
          absences.remove(alert.fingerprint());
          shifts.put(alert.fingerprint(), known.refire(cyclesOnFiring(alert.fingerprint(), now)));
          return Outcome.STARTED;
        }
        resolve(known, now);
        return Outcome.RESTORING;
      }
      if (!alert.firing()) {
        return Outcome.UNCHANGED;
      }
      return start(alert, now, now);
    }
  }

  /** {@link #reconcile(List, Instant, boolean)} with an answer trusted to resolve shifts. */
  public Reconciled reconcile(List<ActiveAlert> active, Instant now) {
    return reconcile(active, now, true);
  }

  /**
   * Brings the shifts in line with one successful answer of Alertmanager listing the {@code active}
   * alerts. An active alert that holds no shift and is not suppressed (Alertmanager would notify of
   * it) starts one as far down as it would be had its firing been received at its {@code startsAt}.
   * A firing shift whose alert is missing from {@link #ABSENCES_TO_RESOLVE} successive answers
   * resolves, as a resolved notification would resolve it; a silenced or inhibited alert still
   * counts as listed, since a silence mutes notifications, not the fault. An answer that may not
   * resolve ({@code mayResolve} false: an Alertmanager that has just started, and lists no alert
   * until Prometheus sends them again) neither counts nor breaks absences.
   */
  public Reconciled reconcile(List<ActiveAlert> active, Instant now, boolean mayResolve) {
    List<String> started = new ArrayList<>();
    List<String> resolved = new ArrayList<>();
    synchronized (lock) {
      Set<String> listed = new HashSet<>();
      for (ActiveAlert a : active) {
        listed.add(a.fingerprint());
        AlertShift known = shifts.get(a.fingerprint());
        if (known != null) {
          absences.remove(a.fingerprint());
        } else if (!a.suppressed() && start(a.toAlert(), a.startsAt(), now) == Outcome.STARTED) {
          started.add(a.fingerprint());
        }
      }
      for (AlertShift shift : List.copyOf(shifts.values())) {
        if (!mayResolve || !shift.firing() || listed.contains(shift.fingerprint())) {
          continue;
        }
        if (absences.merge(shift.fingerprint(), 1, Integer::sum) >= ABSENCES_TO_RESOLVE) {
          resolve(shift, now);
          resolved.add(shift.fingerprint());
        }
      }
    }
    return new Reconciled(started, resolved);
  }

  // @GuardedBy("lock")
  private Outcome start(Alert alert, Instant startsAt, Instant now) {
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
    AlertShift shift =
        AlertShift.firing(
                alert.fingerprint(),
                alert.labels().getOrDefault("alertname", "?"),
                service,
                subset,
                action.get(),
                cyclesOnFiring(alert.fingerprint(), now))
            .caughtUp(startsAt, now);
    shifts.put(alert.fingerprint(), shift);
    return Outcome.STARTED;
  }

  // @GuardedBy("lock")
  private void resolve(AlertShift shift, Instant now) {
    shifts.put(shift.fingerprint(), shift.resolve(now));
    absences.remove(shift.fingerprint());
    resolutions.put(shift.fingerprint(), new Resolution(now, shift.cycles()));
  }

  /**
   * The cycles of an alert firing at {@code now}: one more than at its last resolution, if recent.
   */
  // @GuardedBy("lock")
  private int cyclesOnFiring(String fingerprint, Instant now) {
    Resolution last = resolutions.get(fingerprint);
    return last != null && now.isBefore(last.at().plus(cycleMemory)) ? last.cycles() + 1 : 0;
  }

  /**
   * Advances every shift one step where its interval has passed and returns those in force. A shift
   * fully restored is returned once more (at 100 %), then forgotten.
   */
  public List<RouteShift> advance(Instant now) {
    List<RouteShift> result = new ArrayList<>();
    synchronized (lock) {
      resolutions.values().removeIf(r -> !now.isBefore(r.at().plus(cycleMemory)));
      var it = shifts.entrySet().iterator();
      while (it.hasNext()) {
        var entry = it.next();
        if (entry.getValue().done()) {
          it.remove();
          absences.remove(entry.getKey());
          continue;
        }
        AlertShift next = entry.getValue().advance(now);
        entry.setValue(next);
        result.add(next.toRouteShift());
      }
    }
    return result;
  }

  /** The shifts as the last {@link #advance} left them, without advancing them. */
  public List<RouteShift> current() {
    synchronized (lock) {
      return shifts.values().stream().map(AlertShift::toRouteShift).toList();
    }
  }

  /** How many alerts hold a shift (firing or restoring). */
  public int active() {
    synchronized (lock) {
      return shifts.size();
    }
  }
}
