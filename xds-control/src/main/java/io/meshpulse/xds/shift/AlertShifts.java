package io.meshpulse.xds.shift;

import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger logger = LoggerFactory.getLogger(AlertShifts.class);

  /** Successive answers of Alertmanager a firing shift's alert must be missing from to resolve. */
  public static final int ABSENCES_TO_RESOLVE = 2;

  private final List<ShiftAction> actions;
  private final Duration cycleMemory;
  private final Object lock = new Object();

  // @GuardedBy("lock"): in the order they started
  private final Map<String, Held> shifts = new LinkedHashMap<>();

  // @GuardedBy("lock"): each fingerprint's last resolution, for the cycle memory
  private final Map<String, Resolution> resolutions = new HashMap<>();

  private record Resolution(Instant at, int cycles) {}

  /** A shift in force, with what the decision log and the reconciliation need of it. */
  // @GuardedBy("lock"): every field
  private static final class Held {
    AlertShift shift;
    // When it started: shifts apply in this order, also after a restart.
    final Instant startedAt;
    // When its alert last fired or resolved.
    Instant transitionAt;
    // When its state (not a step) was last written to the decision log.
    Instant loggedAt;
    // Successive answers of Alertmanager its firing alert was missing from.
    int absences;

    Held(AlertShift shift, Instant startedAt, Instant transitionAt, Instant loggedAt) {
      this.shift = shift;
      this.startedAt = startedAt;
      this.transitionAt = transitionAt;
      this.loggedAt = loggedAt;
    }
  }

  // @GuardedBy("lock"): whether the last advance was in a silence of the health pipeline
  private boolean silent;

  // @GuardedBy("lock"): alerts ignored for a subset the topology lacks, logged once each
  private final Set<String> loggedUnknown = new HashSet<>();

  /**
   * An alert shift that started, fired again or resolved.
   *
   * @param resolved false while the alert fires, true once it resolved
   * @param remainingPercent the percent its subset keeps now
   * @param reason as the shift's route changes give it
   * @param at when the alert fired or resolved
   * @param startedAt when the shift started: shifts apply in this order
   */
  public record Transition(
      String fingerprint,
      String alertName,
      String service,
      String from,
      String to,
      String route,
      boolean resolved,
      int cycles,
      int remainingPercent,
      String reason,
      Instant at,
      Instant startedAt,
      Map<String, String> actionMatch) {
    public Transition {
      actionMatch = Map.copyOf(actionMatch);
    }
  }

  /** Told of every transition, under the shifts' lock: must not block. */
  @FunctionalInterface
  public interface TransitionListener {
    TransitionListener NONE = t -> {};

    void changed(Transition transition);
  }

  /**
   * An alert shift as the decision log last recorded it: its latest transition, and the latest step
   * of its percent.
   *
   * @param transition the latest start, new firing or resolution
   * @param remainingPercent the percent its subset kept at the log's end
   * @param lastStepAt when its percent last changed after the transition; null when it did not
   * @param reaffirmed the last record wrote the shift again unchanged, with its next step
   * @param nextStepAt with {@code reaffirmed}: when its next step is due; null: at once
   */
  public record Logged(
      Transition transition,
      int remainingPercent,
      @Nullable Instant lastStepAt,
      boolean reaffirmed,
      @Nullable Instant nextStepAt) {
    /** A shift as its transition and the steps after it left it. */
    public Logged(Transition transition, int remainingPercent, @Nullable Instant lastStepAt) {
      this(transition, remainingPercent, lastStepAt, false, null);
    }
  }

  /**
   * A shift to be written again unchanged: its latest transition (at the time the alert fired or
   * resolved, with the percent its subset keeps now) and when its next step is due (null: at once).
   */
  public record Reaffirmed(Transition transition, @Nullable Instant nextStepAt) {}

  private volatile TransitionListener listener = TransitionListener.NONE;

  // The topology alerts are checked against; null: any service and subset is taken
  private volatile @Nullable Supplier<Topology> topology;

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
    /**
     * No action matches the alert, it lacks the service or subset label, or it names a service or
     * subset the topology does not have.
     */
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
      Held known = shifts.get(alert.fingerprint());
      if (known != null) {
        if (known.shift.firing() == alert.firing()) {
          return Outcome.UNCHANGED;
        }
        if (alert.firing()) {
          known.absences = 0;
          known.shift = known.shift.refire(cyclesOnFiring(alert.fingerprint(), now));
          notify(known, now);
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
        Held known = shifts.get(a.fingerprint());
        if (known != null) {
          known.absences = 0;
        } else if (!a.suppressed() && start(a.toAlert(), a.startsAt(), now) == Outcome.STARTED) {
          started.add(a.fingerprint());
        }
      }
      for (Held held : shifts.values()) {
        String fingerprint = held.shift.fingerprint();
        if (!mayResolve || !held.shift.firing() || listed.contains(fingerprint)) {
          continue;
        }
        if (++held.absences >= ABSENCES_TO_RESOLVE) {
          resolve(held, now);
          resolved.add(fingerprint);
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
        || subset.isBlank()
        || subset.equals(action.get().shiftTo())) {
      return Outcome.IGNORED;
    }
    Supplier<Topology> known = topology;
    if (known != null && !hasSubset(known.get(), service, subset)) {
      // Else a shift that moves no traffic would be reported as started, and count as active.
      if (loggedUnknown.size() >= 10_000) {
        loggedUnknown.clear();
      }
      if (loggedUnknown.add(alert.fingerprint())) {
        // Once per alert: Alertmanager repeats it, and the reconciliation lists it every minute.
        logger.info(
            "alert ignored: the topology has no subset {} of service {} alertname={}"
                + " fingerprint={}",
            subset,
            service,
            alert.labels().getOrDefault("alertname", "?"),
            alert.fingerprint());
      }
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
    Held held = new Held(shift, now, now, now);
    shifts.put(alert.fingerprint(), held);
    notify(held, now);
    return Outcome.STARTED;
  }

  // @GuardedBy("lock")
  private void resolve(Held held, Instant now) {
    AlertShift shift = held.shift;
    held.shift = shift.resolve(now);
    held.absences = 0;
    if (!silent) {
      // Resolved in a silence of the pipeline, the alert may only have lost its telemetry: its
      // firing again once the telemetry is back is no new cycle.
      resolutions.put(shift.fingerprint(), new Resolution(now, shift.cycles()));
    }
    notify(held, now);
  }

  // @GuardedBy("lock")
  private void notify(Held held, Instant at) {
    held.transitionAt = at;
    held.loggedAt = at;
    listener.changed(transition(held));
  }

  /** The shift's latest transition, with the percent its subset keeps now. */
  // @GuardedBy("lock")
  private Transition transition(Held held) {
    AlertShift shift = held.shift;
    RouteShift r = shift.toRouteShift();
    return new Transition(
        shift.fingerprint(),
        shift.alertName(),
        shift.service(),
        shift.from(),
        r.to(),
        r.route(),
        !shift.firing(),
        shift.cycles(),
        shift.remainingPercent(),
        r.reason(),
        held.transitionAt,
        held.startedAt,
        shift.action().match());
  }

  /**
   * The shifts below 100 % whose state was last written to the decision log {@code every} or longer
   * ago (at their latest transition, or an earlier reaffirmation), and those taken back from the
   * log and not written since; they count as written at {@code now}. A restart reads the log back
   * over a bounded span, and a shift that lasts longer (at its floor while its alert fires, in a
   * long hold after it resolved, or stepping slowly) would otherwise be missing from it: its steps
   * alone, without the state they follow, take nothing back.
   */
  public List<Reaffirmed> reaffirm(Instant now, Duration every) {
    List<Reaffirmed> due = new ArrayList<>();
    synchronized (lock) {
      for (Held held : shifts.values()) {
        if (held.shift.remainingPercent() >= 100 || now.isBefore(held.loggedAt.plus(every))) {
          continue;
        }
        due.add(new Reaffirmed(transition(held), held.shift.nextStepAt()));
        held.loggedAt = now;
      }
    }
    return due;
  }

  /**
   * Checks each new alert against {@code topology}: one naming a service it does not have, or a
   * subset (by name or {@code version} label, as {@link SubsetNames} resolves it) its service does
   * not have, is ignored.
   */
  public void checkAgainst(Supplier<Topology> topology) {
    this.topology = topology;
  }

  private static boolean hasSubset(Topology topology, String service, String subset) {
    String name = SubsetNames.subsetName(topology, service, subset);
    return topology
        .service(service)
        .map(s -> s.subsets().stream().anyMatch(x -> x.name().equals(name)))
        .orElse(false);
  }

  /** Sets who is told of each transition (the decision log); replaces the previous one. */
  public void onTransition(TransitionListener listener) {
    this.listener = listener;
  }

  /**
   * Takes back the shifts a previous run logged, as far as it had moved them: a firing one goes on
   * stepping down from its percent, a resolved one waits out what is left of its hold, or of its
   * restore interval after its last step back, and its resolution still counts for the cycle
   * memory. A shift fully restored is not taken back, but its resolution is remembered. A logged
   * shift no configured action shifts to its subset on its route is not taken back (the actions
   * changed), nor is one this instance already holds (Alertmanager listed its alert first).
   *
   * @return the fingerprints taken back
   */
  public List<String> restore(Collection<Logged> logged, Instant now) {
    List<String> restored = new ArrayList<>();
    synchronized (lock) {
      for (Logged l : logged) {
        Transition t = l.transition();
        if (t.resolved() && now.isBefore(t.at().plus(cycleMemory))) {
          resolutions.putIfAbsent(t.fingerprint(), new Resolution(t.at(), t.cycles()));
        }
        if (shifts.containsKey(t.fingerprint()) || (t.resolved() && l.remainingPercent() >= 100)) {
          continue;
        }
        // The action that made it; a record without its match (an older one) takes the first
        // that shifts the same route to the same subset.
        Optional<ShiftAction> action =
            actions.stream()
                .filter(a -> a.shiftTo().equals(t.to()) && a.route().equals(t.route()))
                .filter(a -> t.actionMatch().isEmpty() || a.match().equals(t.actionMatch()))
                .findFirst();
        if (action.isEmpty()) {
          continue;
        }
        Instant lastStep = l.lastStepAt();
        // A start or a new firing steps at once, a resolution after its hold; each step after
        // them waits its interval. A reaffirmation says when.
        Instant next =
            l.reaffirmed()
                ? l.nextStepAt()
                : lastStep == null
                    ? null
                    : lastStep.plus(
                        t.resolved()
                            ? action.get().restoreInterval()
                            : action.get().stepInterval());
        AlertShift shift =
            new AlertShift(
                t.fingerprint(),
                t.alertName(),
                t.service(),
                t.from(),
                action.get(),
                !t.resolved(),
                l.remainingPercent(),
                next,
                t.cycles());
        if (t.resolved() && lastStep == null && !l.reaffirmed()) {
          shift = shift.resolve(t.at());
        }
        // Written again at the first reaffirm (logged at EPOCH): what this restart found, the next
        // must find too.
        shifts.put(t.fingerprint(), new Held(shift, t.startedAt(), t.at(), Instant.EPOCH));
        restored.add(t.fingerprint());
      }
    }
    return restored;
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
    return advance(now, false);
  }

  /**
   * {@link #advance(Instant)}; while {@code pipelineSilent} (the routing policy holds or has
   * reverted for want of health records), a resolved shift does not step back, and its wait starts
   * again when the pipeline speaks: Istio's counters stop with the telemetry, so an alert resolves
   * in a Kafka outage whatever the canary does. Firing shifts step on down.
   */
  public List<RouteShift> advance(Instant now, boolean pipelineSilent) {
    List<RouteShift> result = new ArrayList<>();
    synchronized (lock) {
      resolutions.values().removeIf(r -> !now.isBefore(r.at().plus(cycleMemory)));
      if (silent && !pipelineSilent) {
        // The silence moved the resolved shifts' next steps: write them at the next reaffirm, so
        // that a restart does not step back sooner than this instance will.
        shifts.values().stream()
            .filter(h -> !h.shift.firing())
            .forEach(h -> h.loggedAt = Instant.EPOCH);
      }
      silent = pipelineSilent;
      var it = shifts.values().iterator();
      while (it.hasNext()) {
        Held held = it.next();
        if (held.shift.done()) {
          it.remove();
          continue;
        }
        AlertShift shift = pipelineSilent ? held.shift.holdRestore(now) : held.shift;
        held.shift = shift.advance(now);
        result.add(held.shift.toRouteShift());
      }
    }
    return result;
  }

  /** The shifts as the last {@link #advance} left them, without advancing them. */
  public List<RouteShift> current() {
    synchronized (lock) {
      return shifts.values().stream().map(h -> h.shift.toRouteShift()).toList();
    }
  }

  /** How many alerts hold a shift (firing or restoring). */
  public int active() {
    synchronized (lock) {
      return shifts.size();
    }
  }
}
