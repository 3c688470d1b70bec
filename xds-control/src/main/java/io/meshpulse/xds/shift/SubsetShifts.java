package io.meshpulse.xds.shift;

import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.policy.PolicyMode;
import io.meshpulse.xds.policy.PolicyRecovery;
import io.meshpulse.xds.policy.RecordTime;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Health-driven subset shifts: a subset that fails as a whole (a bad canary) looks healthy endpoint
 * by endpoint, because endpoints are judged against the peers of their own subset. Its subset
 * record ({@code mesh.service-health.v1}, key {@code <service>/<subset>}) is judged against
 * absolute limits and shows it. When that record is UNHEALTHY over enough requests while another
 * subset of the service is HEALTHY, the subset's route weight goes to the healthy subset at once.
 * After {@code hold} without a new UNHEALTHY record it comes back {@code restoreStep} percent every
 * {@code restoreInterval}; an UNHEALTHY record while restoring shifts it away again, with the hold
 * doubled (up to 8 ×).
 *
 * <p>Guardrails: only a subset whose configured route weight is at most {@code maxSharePercent} %
 * of the service's is shifted (a canary, never the stable majority), only to a subset that is
 * HEALTHY now, and never when every subset is failing (that is a service-wide fault, which moving
 * traffic cannot fix). Not thread-safe: the control loop is its only caller.
 */
public final class SubsetShifts {
  /** The ref prefix of these shifts: {@code health:<service>/<subset>}. */
  public static final String REF_PREFIX = RouteShift.HEALTH_REF_PREFIX;

  /** The hold doubles with each offence, at most this many times (8 ×). */
  private static final int MAX_HOLD_DOUBLINGS = 3;

  /** Settings; see {@code meshpulse.xds.subset-shift.*} in docs/routing-policy.md. */
  public record Config(
      boolean enabled,
      long minRequests,
      Duration staleAfter,
      Duration hold,
      int restoreStep,
      Duration restoreInterval,
      int maxSharePercent) {
    public Config {
      if (minRequests < 0) {
        throw new IllegalArgumentException("min-requests must not be negative: " + minRequests);
      }
      if (restoreStep < 1 || restoreStep > 100) {
        throw new IllegalArgumentException("restore-step must be in [1, 100]: " + restoreStep);
      }
      if (maxSharePercent < 1 || maxSharePercent > 99) {
        throw new IllegalArgumentException(
            "max-share-percent must be in [1, 99]: " + maxSharePercent);
      }
      // stale-after is the policy's, which checks it.
      Map<String, Duration> durations = new LinkedHashMap<>();
      durations.put("hold", hold);
      durations.put("restore-interval", restoreInterval);
      durations.forEach(
          (name, d) -> {
            if (d.isNegative() || d.isZero()) {
              throw new IllegalArgumentException(name + " must be positive: " + d);
            }
          });
    }
  }

  private record Held(
      String service,
      String subset,
      String to,
      int remaining,
      Instant lastBadAt,
      Instant lastStepAt,
      int offences,
      String reason,
      Instant loggedAt) {
    /** The same shift, its subset seen failing again at {@code now}: its hold starts again. */
    Held failingAgain(Instant now, String why) {
      return new Held(service, subset, to, remaining, now, lastStepAt, offences, why, loggedAt);
    }

    RouteShift toRouteShift() {
      return new RouteShift(
          REF_PREFIX + service + '/' + subset, service, subset, to, remaining, reason);
    }
  }

  private final Config config;
  private final Map<String, Held> held = new LinkedHashMap<>();

  public SubsetShifts(Config config) {
    this.config = config;
  }

  /**
   * The shifts in force at {@code now} for an evaluation in {@code mode}: while the policy holds
   * (the health pipeline is silent), those of the last evaluation, since the silence says nothing
   * about a drained subset; otherwise {@link #advance(Instant, Topology, Map)}.
   */
  public List<RouteShift> advance(
      Instant now, Topology topology, Map<String, ServiceHealth> subsetHealth, PolicyMode mode) {
    return mode == PolicyMode.HOLD ? inForce() : advance(now, topology, subsetHealth);
  }

  /** The shifts in force at {@code now}; a shift fully restored is returned once more at 100 %. */
  public List<RouteShift> advance(
      Instant now, Topology topology, Map<String, ServiceHealth> subsetHealth) {
    if (!config.enabled()) {
      return List.of();
    }
    Map<String, Held> next = new LinkedHashMap<>();
    for (ServiceSpec service : topology.services()) {
      if (service.subsets().size() < 2) {
        continue;
      }
      Map<String, ServiceHealth> fresh = new HashMap<>();
      for (SubsetSpec s : service.subsets()) {
        ServiceHealth h = subsetHealth.get(service.name() + '/' + s.name());
        if (h != null && isFresh(h, now)) {
          fresh.put(s.name(), h);
        }
      }
      int total = service.subsets().stream().mapToInt(SubsetSpec::routeWeight).sum();
      for (SubsetSpec s : service.subsets()) {
        String key = service.name() + '/' + s.name();
        Held before = held.get(key);
        ServiceHealth h = fresh.get(s.name());
        boolean bad =
            h != null
                && h.getState() == HealthState.HEALTH_STATE_UNHEALTHY
                && h.getRequests() >= config.minRequests();
        Optional<SubsetSpec> to = bad ? healthyTarget(service, s, fresh) : Optional.empty();
        boolean minority =
            total > 0 && 100L * s.routeWeight() <= (long) config.maxSharePercent() * total;
        boolean drains = bad && minority && to.isPresent();
        if (drains && (before == null || before.remaining() > 0)) {
          int offences = before == null ? 1 : before.offences() + 1;
          next.put(
              key,
              new Held(
                  service.name(),
                  s.name(),
                  to.get().name(),
                  0,
                  now,
                  now,
                  offences,
                  reason(s, h),
                  now));
          continue;
        }
        if (before == null) {
          continue;
        }
        if (bad && before.remaining() < 100) {
          // Still failing: no step back, and the hold starts again. Drained, it stays drained;
          // part way back with no healthy subset to take more of its traffic (the others may be
          // DEGRADED under the load it gave them), it stays where it is.
          next.put(
              key,
              before.failingAgain(
                  now,
                  drains
                      ? reason(s, h)
                      : reason(s, h) + "; no healthy subset to take more of its traffic"));
          continue;
        }
        if (before.remaining() >= 100) {
          continue; // returned once at 100 % last time: forgotten now
        }
        Duration hold =
            config.hold().multipliedBy(1L << Math.min(MAX_HOLD_DOUBLINGS, before.offences() - 1));
        boolean held = now.isBefore(before.lastBadAt().plus(hold));
        boolean stepDue = !now.isBefore(before.lastStepAt().plus(config.restoreInterval()));
        if (!held && (before.remaining() == 0 || stepDue)) {
          int remaining = Math.min(100, before.remaining() + config.restoreStep());
          next.put(
              key,
              new Held(
                  before.service(),
                  before.subset(),
                  before.to(),
                  remaining,
                  before.lastBadAt(),
                  now,
                  before.offences(),
                  "subset " + before.subset() + " restoring after " + hold.toSeconds() + " s hold",
                  now));
        } else {
          next.put(key, before);
        }
      }
    }
    held.clear();
    held.putAll(next);
    return inForce();
  }

  /**
   * Takes back the subset shifts a previous process held, as its decision log recorded them (a
   * restart's memory; call before the first advance). A drained canary gets no traffic, so no
   * record says it is still failing: without this, a restart would hand its weight back at once.
   * The hold runs from when the shift last went down, so a restart neither shortens nor extends it
   * by more than the records' spacing. Subsets no longer in the topology are dropped at the next
   * advance. Shifts held by anything else are ignored.
   */
  public void restore(Collection<PolicyRecovery.LoggedShift> logged) {
    for (PolicyRecovery.LoggedShift l : logged) {
      RouteShift s = l.shift();
      if (!config.enabled() || !s.ref().startsWith(REF_PREFIX)) {
        continue;
      }
      held.putIfAbsent(
          s.service() + '/' + s.from(),
          new Held(
              s.service(),
              s.from(),
              s.to(),
              s.remainingPercent(),
              l.loweredAt(),
              l.changedAt(),
              Math.max(1, l.offences()),
              s.reason(),
              // Written again at the first reaffirm: what a restart found must be found by the
              // next.
              Instant.EPOCH));
    }
  }

  /**
   * The shifts below 100 % whose percent was last written {@code every} or longer ago (by the
   * decision that changed it, or by an earlier reaffirmation), and those taken back from the log
   * and not written since: each as a restart would take it back, its state to be written again.
   * They count as written at {@code now}. A restart reads the log back over a bounded span, and a
   * subset that stays drained longer (it keeps failing, or no other subset is healthy) would
   * otherwise be missing from it and get its weight back.
   */
  public List<PolicyRecovery.LoggedShift> reaffirm(Instant now, Duration every) {
    List<PolicyRecovery.LoggedShift> due = new ArrayList<>();
    for (Map.Entry<String, Held> e : held.entrySet()) {
      Held h = e.getValue();
      if (h.remaining() >= 100 || now.isBefore(h.loggedAt().plus(every))) {
        continue;
      }
      due.add(
          new PolicyRecovery.LoggedShift(
              h.toRouteShift(), h.lastBadAt(), h.lastStepAt(), h.offences()));
      e.setValue(
          new Held(
              h.service(),
              h.subset(),
              h.to(),
              h.remaining(),
              h.lastBadAt(),
              h.lastStepAt(),
              h.offences(),
              h.reason(),
              now));
    }
    return due;
  }

  /**
   * How far back a restart must read the decision log to find a shift still in force: the longest
   * hold, then the steps back to 100 %.
   */
  public Duration memory() {
    long steps = (100 + config.restoreStep() - 1) / config.restoreStep();
    return config
        .hold()
        .multipliedBy(1L << MAX_HOLD_DOUBLINGS)
        .plus(config.restoreInterval().multipliedBy(steps));
  }

  /** The shifts in force, as the last advance left them. */
  private List<RouteShift> inForce() {
    List<RouteShift> shifts = new ArrayList<>();
    for (Held h : held.values()) {
      shifts.add(h.toRouteShift());
    }
    return shifts;
  }

  /** How many subsets are shifted (or being restored). */
  public int active() {
    return (int) held.values().stream().filter(h -> h.remaining() < 100).count();
  }

  private Optional<SubsetSpec> healthyTarget(
      ServiceSpec service, SubsetSpec bad, Map<String, ServiceHealth> fresh) {
    return service.subsets().stream()
        .filter(s -> !s.name().equals(bad.name()))
        .filter(
            s ->
                fresh.get(s.name()) != null
                    && fresh.get(s.name()).getState() == HealthState.HEALTH_STATE_HEALTHY)
        .max(Comparator.comparingInt(SubsetSpec::routeWeight));
  }

  private boolean isFresh(ServiceHealth h, Instant now) {
    long at = RecordTime.millis(h);
    return at > 0
        && Duration.between(Instant.ofEpochMilli(at), now).compareTo(config.staleAfter()) <= 0;
  }

  private static String reason(SubsetSpec s, ServiceHealth h) {
    return String.format(
        Locale.ROOT,
        "subset %s UNHEALTHY score=%.2f requests=%d%s",
        s.name(),
        h.getScore(),
        h.getRequests(),
        h.getReasonsCount() > 0 ? ": " + h.getReasons(0) : "");
  }
}
