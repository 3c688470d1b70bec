package io.meshpulse.xds.rollout;

import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.shift.Alert;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rollouts in force, by {@code <service>/<canary>}. Operators start and abort them and alerts
 * roll them back on web threads; the control loop advances them once per evaluation ({@link
 * #advance}) and applies their route shifts through the routing policy, so every step is a routing
 * decision (trigger ROLLOUT, trigger_ref {@code rollout:<service>/<canary>}). Every change is told
 * to a {@link RolloutStore}, and a restart takes the stored rollouts back ({@link #restore}).
 */
public final class Rollouts {
  private final CanaryHealth health;
  private final RolloutStore store;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final Map<String, Rollout> rollouts = new LinkedHashMap<>();

  private final java.util.Set<String> declaredKeys = new java.util.HashSet<>();

  // @GuardedBy("lock"): the topology of the last advance, to read an alert's subset label
  private @org.jspecify.annotations.Nullable Topology topology;

  /**
   * @param staleAfter health records older than this are not judged (the policy's stale-after)
   * @param minConfidence endpoint records below this confidence are not judged
   * @param declared rollouts from configuration, started now
   */
  public Rollouts(
      Duration staleAfter, double minConfidence, List<RolloutSpec> declared, Instant now) {
    this(staleAfter, minConfidence, declared, now, RolloutStore.NONE);
  }

  /**
   * @param store told of every change; a declared rollout is stored at its first change, so that a
   *     restart's {@link #restore} finds it where it was
   */
  public Rollouts(
      Duration staleAfter,
      double minConfidence,
      List<RolloutSpec> declared,
      Instant now,
      RolloutStore store) {
    this.health = new CanaryHealth(staleAfter, minConfidence);
    this.store = store;
    for (RolloutSpec spec : declared) {
      if (rollouts.putIfAbsent(spec.key(), Rollout.declared(spec, now)) != null) {
        throw new IllegalArgumentException("two rollouts of " + spec.key());
      }
      declaredKeys.add(spec.key());
    }
  }

  /**
   * Starts a rollout, replacing a finished one of the same canary.
   *
   * @return the new rollout, or empty when one of that canary is still progressing
   */
  public Optional<Rollout> start(RolloutSpec spec, Instant now) {
    synchronized (lock) {
      Rollout known = rollouts.get(spec.key());
      if (known != null && known.active()) {
        return Optional.empty();
      }
      Rollout started = Rollout.declared(spec, now);
      rollouts.put(spec.key(), started);
      store.changed(started);
      return Optional.of(started);
    }
  }

  /** What {@link #abort} did. */
  public enum Abort {
    /** The rollout was progressing: it is rolled back and stays listed until removed. */
    ROLLED_BACK,
    /** The rollout had finished (promoted or rolled back): it is forgotten. */
    REMOVED,
    /** No rollout of that canary. */
    UNKNOWN,
    /**
     * The rollout had finished, but configuration declares it: forgotten, it would start again at
     * the next restart, so it is kept.
     */
    DECLARED
  }

  /**
   * Aborts a progressing rollout (rolled back at once) or forgets a finished one, whose routing
   * then returns to the topology's route weights.
   */
  public Abort abort(String service, String canary, String why, Instant now) {
    String key = service + '/' + canary;
    synchronized (lock) {
      Rollout known = rollouts.get(key);
      if (known == null) {
        return Abort.UNKNOWN;
      }
      if (known.active()) {
        Rollout rolledBack = known.rollBack(why, now);
        rollouts.put(key, rolledBack);
        store.changed(rolledBack);
        return Abort.ROLLED_BACK;
      }
      if (declaredKeys.contains(key)) {
        return Abort.DECLARED;
      }
      rollouts.remove(key);
      store.removed(key);
      return Abort.REMOVED;
    }
  }

  /**
   * Rolls back every progressing rollout a firing alert names (its service and canary labels).
   *
   * @return the keys of the rollouts rolled back
   */
  public List<String> onAlert(Alert alert, Instant now) {
    List<String> rolledBack = new ArrayList<>();
    if (!alert.firing()) {
      return rolledBack;
    }
    synchronized (lock) {
      for (var entry : rollouts.entrySet()) {
        Rollout r = entry.getValue();
        RolloutSpec spec = r.spec();
        if (r.active()
            && spec.service().equals(alert.labels().get(spec.serviceLabel()))
            && namesCanary(spec, alert.labels().get(spec.subsetLabel()))) {
          String name = alert.labels().getOrDefault("alertname", alert.fingerprint());
          Rollout back = r.rollBack("alert " + name + " firing", now);
          entry.setValue(back);
          store.changed(back);
          rolledBack.add(entry.getKey());
        }
      }
    }
    return rolledBack;
  }

  /**
   * Whether an alert's subset label value names {@code spec}'s canary: its subset name, or the
   * canary subset's {@code version} label (the pods' label Istio's {@code destination_version}
   * comes from), as in {@link io.meshpulse.xds.shift.SubsetNames}.
   */
  // @GuardedBy("lock")
  private boolean namesCanary(RolloutSpec spec, @org.jspecify.annotations.Nullable String value) {
    if (value == null || topology == null) {
      return spec.canary().equals(value);
    }
    return io.meshpulse.xds.shift.SubsetNames.subsetName(topology, spec.service(), value)
        .equals(spec.canary());
  }

  /** {@link #advance(Instant, Topology, RoutingConfig, HealthTable, Map)} without routing files. */
  public List<RouteShift> advance(
      Instant now, Topology topology, HealthTable endpoints, Map<String, ServiceHealth> subsets) {
    return advance(now, topology, RoutingConfig.EMPTY, endpoints, subsets);
  }

  /**
   * Judges each progressing rollout's canary, advances it, and returns every rollout's route shift.
   * A finished rollout that can no longer run on {@code topology} (as {@link #restore} judges it)
   * is dropped, and removed from the store. A progressing rollout whose route {@code routing} no
   * longer has (or no longer sends to its stable subset) holds where it is, saying why: its shift
   * moves nothing, and the canary's health from other routes must not promote it. Call once per
   * policy evaluation, from the control loop.
   *
   * @param subsets service-health records by key ({@code <service>/<subset>})
   */
  public List<RouteShift> advance(
      Instant now,
      Topology topology,
      RoutingConfig routing,
      HealthTable endpoints,
      Map<String, ServiceHealth> subsets) {
    List<RouteShift> result = new ArrayList<>();
    synchronized (lock) {
      this.topology = topology;
      for (var it = rollouts.entrySet().iterator(); it.hasNext(); ) {
        var entry = it.next();
        Rollout r = entry.getValue();
        if (!r.active() && r.spec().problemIn(topology).isPresent()) {
          // Finished, and the topology has moved on (a promotion made permanent, a subset gone):
          // its shift would hold the old split until a restart's restore dropped it.
          it.remove();
          store.removed(entry.getKey());
          continue;
        }
        if (r.active()) {
          Optional<String> noRoute = r.spec().routeProblemIn(routing);
          Rollout next =
              noRoute.isPresent()
                  ? r.hold(noRoute.get(), now)
                  : r.advance(now, health.judge(r.spec(), topology, endpoints, subsets, now));
          if (!next.equals(r)) {
            entry.setValue(next);
            store.changed(next);
          }
          r = next;
        }
        result.add(r.toRouteShift());
      }
    }
    return result;
  }

  /**
   * Takes back the rollouts a previous process stored (a restart's memory; call before the first
   * advance). A stored rollout takes the place of a declared one of the same canary only when their
   * settings are the same and the declared one has not moved yet: changed settings start it again.
   * One that cannot run on {@code topology} any more (its subsets gone, or the canary given route
   * weight in the topology, as after a promotion is made permanent) is dropped and removed from the
   * store.
   *
   * @return the keys of the rollouts taken back
   */
  public List<String> restore(List<Rollout> stored, Topology topology) {
    List<String> restored = new ArrayList<>();
    synchronized (lock) {
      for (Rollout r : stored) {
        String key = r.spec().key();
        Rollout known = rollouts.get(key);
        if (r.spec().problemIn(topology).isPresent()) {
          if (known == null) {
            store.removed(key);
          }
          continue;
        }
        boolean untouched =
            known != null && known.active() && known.percent() == 0 && known.lastStepAt() == null;
        if (known == null || (untouched && known.spec().equals(r.spec()))) {
          rollouts.put(key, r);
          restored.add(key);
        }
      }
    }
    return restored;
  }

  /** Whether there is no rollout at all (so no health needs reading). */
  public boolean isEmpty() {
    synchronized (lock) {
      return rollouts.isEmpty();
    }
  }

  /** Every rollout, in the order declared. */
  public List<Rollout> list() {
    synchronized (lock) {
      return List.copyOf(rollouts.values());
    }
  }

  public Optional<Rollout> get(String service, String canary) {
    synchronized (lock) {
      return Optional.ofNullable(rollouts.get(service + '/' + canary));
    }
  }
}
