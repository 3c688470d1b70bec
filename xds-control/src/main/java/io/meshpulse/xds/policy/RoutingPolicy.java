package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The routing policy: a pure function from (topology, health, overrides, config, now, previous
 * state) to (endpoint weights and statuses, subset route weights, changes with reasons). See
 * docs/routing-policy.md for every rule and guardrail.
 */
public final class RoutingPolicy {
  private final PolicyConfig config;

  public RoutingPolicy(PolicyConfig config) {
    this.config = config;
  }

  public PolicyConfig config() {
    return config;
  }

  public PolicyResult evaluate(PolicyInput input) {
    Instant now = input.now();
    PolicyState previous = input.previous();
    Instant silentSince = silentSince(input.health(), now, previous);
    PolicyMode mode = mode(silentSince, now);
    // Every service's evaluation adds its endpoints' states here; sized for last time's.
    Map<EndpointId, EndpointState> states =
        new HashMap<>(Math.max(16, previous.endpoints().size() * 4 / 3 + 1));
    Map<String, Map<String, Integer>> routeWeights = new HashMap<>();
    Map<String, ServiceRouting> intended = new LinkedHashMap<>();
    Map<String, ServiceRouting> served = new LinkedHashMap<>();
    List<ServiceDecision> decisions = new ArrayList<>();
    Emptied emptied = new Emptied(input);
    for (ServiceSpec service : input.topology().services()) {
      ServiceEvaluation evaluation = new ServiceEvaluation(service, input, mode, states, emptied);
      evaluation.run();
      emptied.evaluated.add(service.name());
      ServiceRouting routing = evaluation.routing();
      intended.put(service.name(), routing);
      routeWeights.put(service.name(), routing.subsetWeights());
      served.put(service.name(), config.dryRun() ? neutral(service) : routing);
      evaluation
          .decision(routing, previous.routeWeights().get(service.name()), mode)
          .ifPresent(decisions::add);
    }
    return new PolicyResult(
        new PolicyState(states, routeWeights, mode, silentSince, shiftPercents(input.shifts())),
        new RoutingTable(intended),
        new RoutingTable(served),
        decisions);
  }

  /** The mode an evaluation at {@code now} of this health, after {@code previous}, runs in. */
  public PolicyMode mode(HealthTable health, Instant now, PolicyState previous) {
    return mode(silentSince(health, now, previous), now);
  }

  private PolicyMode mode(@Nullable Instant silentSince, Instant now) {
    if (silentSince == null) {
      return PolicyMode.NORMAL;
    }
    return now.isBefore(silentSince.plus(config.holdFor())) ? PolicyMode.HOLD : PolicyMode.REVERT;
  }

  /** Since when no endpoint has had a record for silent-after; null while records arrive. */
  private @Nullable Instant silentSince(HealthTable health, Instant now, PolicyState previous) {
    Instant last = health.lastRecordAt();
    boolean silent =
        last == null || Duration.between(last, now).compareTo(config.silentAfter()) > 0;
    if (!silent) {
      return null;
    }
    return previous.silentSince() != null ? previous.silentSince() : now;
  }

  private static Map<String, Integer> shiftPercents(List<RouteShift> shifts) {
    Map<String, Integer> result = new HashMap<>();
    for (RouteShift s : shifts) {
      result.put(s.ref(), s.remainingPercent());
    }
    return result;
  }

  /** The routing of a service nobody has an opinion about: every endpoint neutral and healthy. */
  public ServiceRouting neutral(ServiceSpec service) {
    List<EndpointRouting> endpoints = new ArrayList<>();
    for (SubsetSpec subset : service.subsets()) {
      for (EndpointSpec e : subset.endpoints()) {
        endpoints.add(
            new EndpointRouting(
                EndpointId.of(service.name(), e),
                subset.name(),
                e.locality(),
                config.neutralWeight(),
                EndpointStatus.ACTIVE,
                Double.NaN,
                List.of("neutral"),
                false));
      }
    }
    return new ServiceRouting(service, RouteWeights.compute(service, endpoints, config), endpoints);
  }

  /**
   * The subsets with no endpoint in rotation, as {@code service/subset}, for the check that keeps
   * one destination of every route in rotation; a route may split across services. A service not
   * evaluated yet counts with the subsets it had emptied at the last evaluation, so the subset
   * emptied first keeps its place instead of being re-admitted for another service's (where that
   * subset comes back in this evaluation, the other waits one evaluation).
   */
  private static final class Emptied {
    private final PolicyInput input;
    final Set<String> now = new HashSet<>();
    final Set<String> evaluated = new HashSet<>();

    Emptied(PolicyInput input) {
      this.input = input;
    }

    boolean contains(String destination) {
      if (now.contains(destination)) {
        return true;
      }
      int slash = destination.indexOf('/');
      if (slash < 0) {
        return false;
      }
      String serviceName = destination.substring(0, slash);
      String subsetName = destination.substring(slash + 1);
      // Read from the last evaluation's states only here: routes are checked only when a whole
      // subset would be emptied, rarely, so no evaluation walks every endpoint for it.
      return !evaluated.contains(serviceName)
          && input
              .topology()
              .service(serviceName)
              .flatMap(
                  s -> s.subsets().stream().filter(x -> x.name().equals(subsetName)).findFirst())
              .filter(
                  subset ->
                      !subset.endpoints().isEmpty()
                          && subset.endpoints().stream()
                              .allMatch(
                                  e -> {
                                    EndpointState prev =
                                        input
                                            .previous()
                                            .endpoints()
                                            .get(EndpointId.of(serviceName, e));
                                    return prev != null && prev.status() == EndpointStatus.EJECTED;
                                  }))
              .isPresent();
    }
  }

  /**
   * The evaluation of one service; all mutable state is local to one call of {@link #evaluate},
   * which collects the endpoints' states of every service in one map.
   */
  private final class ServiceEvaluation {
    private final ServiceSpec service;
    private final PolicyInput input;
    private final Instant now;
    private final Signal modeSignal;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<EndpointId, EndpointState> states;
    private final List<EndpointChange> changes = new ArrayList<>();
    private final List<EndpointRouting> routings = new ArrayList<>();
    private final Emptied emptiedSubsets;

    ServiceEvaluation(
        ServiceSpec service,
        PolicyInput input,
        PolicyMode mode,
        Map<EndpointId, EndpointState> states,
        Emptied emptiedSubsets) {
      this.service = service;
      this.states = states;
      this.emptiedSubsets = emptiedSubsets;
      this.input = input;
      this.now = input.now();
      this.modeSignal =
          switch (mode) {
            case HOLD -> Signal.hold();
            case REVERT -> Signal.revert();
            case NORMAL -> null;
          };
    }

    void run() {
      for (SubsetSpec subset : service.subsets()) {
        for (EndpointSpec e : subset.endpoints()) {
          EndpointId id = EndpointId.of(service.name(), e);
          EndpointState prev =
              input.previous().endpoints().getOrDefault(id, EndpointState.neutral(config));
          Signal signal =
              modeSignal != null
                  ? modeSignal
                  : Signal.classify(input.health().get(id), now, config);
          Slot slot = new Slot(id, subset.name(), e, prev, signal, input.overrides().get(id));
          slot.desired = desiredStatus(slot);
          slots.add(slot);
        }
      }
      applyEjectionLimits();
      for (Slot slot : slots) {
        settle(slot);
      }
    }

    private boolean dwellOk(EndpointState prev) {
      return !now.isBefore(prev.since().plus(config.minDwell()));
    }

    private EndpointStatus desiredStatus(Slot s) {
      EndpointState prev = s.prev;
      if (s.override != null) {
        return s.override.ejects() ? EndpointStatus.EJECTED : EndpointStatus.ACTIVE;
      }
      Signal.Kind kind = s.signal.kind();
      if (prev.status() == EndpointStatus.EJECTED) {
        if (kind == Signal.Kind.HOLD) {
          return EndpointStatus.EJECTED;
        }
        Instant until = prev.ejectedUntil();
        boolean expired = until == null ? dwellOk(prev) : !now.isBefore(until);
        boolean reverting = modeSignal != null && kind == Signal.Kind.STALE;
        if (!reverting && (!expired || kind == Signal.Kind.EJECT)) {
          return EndpointStatus.EJECTED;
        }
        // Re-admitted as DEGRADED while a record asked to degrade or eject it within min-dwell:
        // the hysteresis every other improvement waits for.
        boolean badLately =
            prev.lastBadAt() != null && now.isBefore(prev.lastBadAt().plus(config.minDwell()));
        return kind == Signal.Kind.DEGRADE || (badLately && !reverting)
            ? EndpointStatus.DEGRADED
            : EndpointStatus.ACTIVE;
      }
      EndpointStatus wanted =
          switch (kind) {
            case EJECT -> EndpointStatus.EJECTED;
            case DEGRADE -> EndpointStatus.DEGRADED;
            case RECOVER, STALE -> EndpointStatus.ACTIVE;
            case KEEP, HOLD -> prev.status();
          };
      // Getting worse acts at once unless it would undo a recent improvement; getting better
      // always waits for the dwell time. Either way an endpoint never flips back within it.
      boolean escalation = wanted.compareTo(prev.status()) > 0;
      if (wanted != prev.status() && !(escalation && prev.escalated()) && !dwellOk(prev)) {
        s.dwellBlocked = true;
        return prev.status();
      }
      // Hysteresis: an improvement also needs the dwell time without any degrade or eject verdict,
      // so an endpoint whose records alternate between DEGRADED and HEALTHY stays degraded.
      if (wanted.compareTo(prev.status()) < 0
          && prev.lastBadAt() != null
          && now.isBefore(prev.lastBadAt().plus(config.minDwell()))) {
        s.dwellBlocked = true;
        return prev.status();
      }
      return wanted;
    }

    /**
     * Caps ejections at maxEjectionPercent and the panic threshold, of the service and of each
     * subset; refused ones degrade.
     *
     * <p>Each subset is an Envoy cluster with its own panic threshold, and routes send traffic to
     * those clusters: with 2 of a subset's 3 endpoints ejected it would panic and spread its share
     * over all 3. A subset may only be emptied as a whole (every endpoint of it wants out, and all
     * of them fit in the service's limit: max-ejection-percent, or the panic limit when operator
     * overrides eject every one of them): its route weight then drops to 0 and its cluster gets no
     * traffic, which is how a one-endpoint subset leaves the route. The routes of the routing files
     * move an emptied subset's share to their other destinations (RouteComposer); a subset is never
     * emptied where that would leave a route with no destination in rotation.
     */
    private void applyEjectionLimits() {
      EjectionLimits limits = EjectionLimits.of(slots.size(), config);
      Map<String, Integer> sizes = new HashMap<>();
      Map<String, Integer> wantingBySubset = new HashMap<>();
      Map<String, Integer> manualBySubset = new HashMap<>();
      for (Slot s : slots) {
        sizes.merge(s.subset, 1, Integer::sum);
        if (s.desired == EndpointStatus.EJECTED) {
          wantingBySubset.merge(s.subset, 1, Integer::sum);
          if (s.override != null) {
            manualBySubset.merge(s.subset, 1, Integer::sum);
          }
        }
      }
      List<Slot> wanting =
          slots.stream()
              .filter(s -> s.desired == EndpointStatus.EJECTED)
              .sorted(
                  Comparator.comparingInt(Slot::ejectionPriority)
                      .thenComparingDouble(
                          s -> Double.isNaN(s.signal.score()) ? 1 : s.signal.score())
                      .thenComparing(s -> s.id))
              .toList();
      int ejected = 0;
      Map<String, Integer> ejectedBySubset = new HashMap<>();
      Set<String> emptied = new HashSet<>();
      for (Slot s : wanting) {
        if (emptied.contains(s.subset)) {
          continue; // counted when its subset was admitted whole
        }
        boolean manual = s.override != null;
        int cap = manual ? limits.total() : limits.automatic();
        int size = sizes.get(s.subset);
        int inSubset = ejectedBySubset.getOrDefault(s.subset, 0);
        int subsetCap = EjectionLimits.beforePanic(size, config);
        if (ejected < cap && inSubset < subsetCap) {
          ejected++;
          ejectedBySubset.put(s.subset, inSubset + 1);
          continue;
        }
        int rest = size - inSubset;
        // Emptied by overrides alone, the subset may go up to the panic limit, like any override;
        // otherwise the whole of it must fit in max-ejection-percent.
        int groupCap =
            manualBySubset.getOrDefault(s.subset, 0) == size ? limits.total() : limits.automatic();
        boolean sole = strandsARoute(s.subset);
        if (ejected < cap
            && wantingBySubset.get(s.subset) == size
            && ejected + rest <= groupCap
            && !sole) {
          ejected += rest;
          emptied.add(s.subset);
          emptiedSubsets.now.add(service.name() + '/' + s.subset);
          continue;
        }
        s.refusal =
            ejected >= cap ? serviceRefusal(ejected, cap, manual) : subsetRefusal(s, size, sole);
        if (s.prev.status() == EndpointStatus.EJECTED) {
          s.desired = EndpointStatus.ACTIVE;
        } else {
          s.desired =
              dwellOk(s.prev) || s.prev.escalated() || s.prev.status() == EndpointStatus.DEGRADED
                  ? EndpointStatus.DEGRADED
                  : s.prev.status();
        }
      }
    }

    /**
     * Whether emptying {@code subset}, with the subsets emptied already ({@link Emptied}), would
     * leave some route of the routing files with no destination in rotation.
     */
    private boolean strandsARoute(String subset) {
      String key = service.name() + '/' + subset;
      for (Set<String> route : input.routeDestinations()) {
        if (route.contains(key)
            && route.stream().allMatch(d -> d.equals(key) || emptiedSubsets.contains(d))) {
          return true;
        }
      }
      return false;
    }

    private String serviceRefusal(int ejected, int cap, boolean manual) {
      return String.format(
          "guardrail: ejection refused, %d of %d endpoints already ejected (limit %d: %s)",
          ejected,
          slots.size(),
          cap,
          manual
              ? "panic threshold " + config.panicThresholdPercent() + " %"
              : "max ejection "
                  + config.maxEjectionPercent()
                  + " %, panic threshold "
                  + config.panicThresholdPercent()
                  + " %");
    }

    private String subsetRefusal(Slot s, int size, boolean sole) {
      int cap = EjectionLimits.beforePanic(size, config);
      return String.format(
          "guardrail: ejection refused, %d of subset %s's %d endpoints already ejected"
              + " (limit %d: panic threshold %d %% of the subset's cluster%s)",
          cap,
          s.subset,
          size,
          cap,
          config.panicThresholdPercent(),
          sole ? "; a route of the routing files would have no destination left" : "");
    }

    private void settle(Slot s) {
      EndpointState prev = s.prev;
      EndpointStatus status = s.desired;
      boolean changed = status != prev.status();
      int offences = prev.offences();
      if (offences > 0
          && status == EndpointStatus.ACTIVE
          && !changed
          && Duration.between(prev.since(), now).compareTo(config.offenceMemory()) >= 0) {
        offences = 0;
      }
      List<String> reasons = new ArrayList<>(s.signal.reasons());
      Instant ejectedUntil = null;
      int weight = prev.weight();
      Instant lastStepAt = prev.lastStepAt();
      if (status == EndpointStatus.EJECTED) {
        if (s.override != null) {
          reasons.add(0, "override " + s.override.id() + ": " + s.override.reason());
        } else if (changed
            || (s.signal.kind() != Signal.Kind.HOLD
                && prev.ejectedUntil() != null
                && !now.isBefore(prev.ejectedUntil()))) {
          // While the policy holds, an ejection that ran out stays as it is: the first evaluation
          // with records again extends it or re-admits the endpoint.
          if (changed) {
            offences++;
          }
          Duration time = config.ejectionTime(Math.max(1, offences));
          ejectedUntil = now.plus(time);
          reasons.add("ejected for " + time.toMillis() + " ms (offence " + offences + ")");
        } else {
          ejectedUntil = prev.ejectedUntil();
        }
      } else if (prev.status() == EndpointStatus.EJECTED) {
        weight = pinned(s) != null ? pinned(s) : config.rampStartWeight();
        lastStepAt = now;
        reasons.add("re-admitted, weight ramps from " + weight);
      } else if (pinned(s) != null) {
        if (weight != pinned(s)) {
          weight = pinned(s);
          lastStepAt = now;
        }
        reasons.add(0, "override " + s.override.id() + ": " + s.override.reason());
      } else {
        int target =
            status == EndpointStatus.DEGRADED ? config.degradedWeight() : config.neutralWeight();
        Signal.Kind kind = s.signal.kind();
        if (kind == Signal.Kind.EJECT || kind == Signal.Kind.DEGRADE) {
          target = Math.min(target, weight);
        } else if (kind == Signal.Kind.HOLD) {
          target = weight;
        }
        if (target != weight && !now.isBefore(lastStepAt.plus(config.stepInterval()))) {
          int step = Math.min(config.maxWeightStep(), Math.abs(target - weight));
          weight += target > weight ? step : -step;
          lastStepAt = now;
        }
      }
      if (s.refusal != null) {
        reasons.add(s.refusal);
      }
      if (s.dwellBlocked) {
        // First: it is why the endpoint keeps its state whatever its newest record says.
        reasons.add(
            0,
            "dwell: "
                + prev.status()
                + " since "
                + prev.since()
                + ", min dwell "
                + config.minDwell().toMillis()
                + " ms");
      }
      boolean suppressed = s.refusal != null && prev.status() != EndpointStatus.EJECTED;
      EndpointState next =
          new EndpointState(
              status,
              weight,
              changed ? now : prev.since(),
              offences,
              ejectedUntil,
              lastStepAt,
              suppressed,
              changed ? status.compareTo(prev.status()) > 0 : prev.escalated(),
              s.signal.kind() == Signal.Kind.EJECT || s.signal.kind() == Signal.Kind.DEGRADE
                  ? now
                  : prev.lastBadAt(),
              prev.loggedAt());
      routings.add(
          new EndpointRouting(
              s.id,
              s.subset,
              s.spec.locality(),
              weight,
              status,
              s.signal.score(),
              reasons,
              suppressed));
      DecisionTrigger trigger =
          s.override != null
              ? DecisionTrigger.DECISION_TRIGGER_OVERRIDE
              : s.signal.kind() == Signal.Kind.STALE
                  ? DecisionTrigger.DECISION_TRIGGER_STALENESS
                  : DecisionTrigger.DECISION_TRIGGER_HEALTH;
      int logBefore = changes.size();
      if (changed || weight != prev.weight()) {
        EndpointAction action =
            status == EndpointStatus.EJECTED
                ? EndpointAction.ENDPOINT_ACTION_EJECT
                : prev.status() == EndpointStatus.EJECTED
                    ? EndpointAction.ENDPOINT_ACTION_READMIT
                    : s.signal.kind() == Signal.Kind.STALE
                        ? EndpointAction.ENDPOINT_ACTION_NEUTRAL
                        : EndpointAction.ENDPOINT_ACTION_REWEIGHT;
        changes.add(change(s, action, next, trigger, reasons));
      } else if (status == EndpointStatus.EJECTED
          && ejectedUntil != null
          && !ejectedUntil.equals(prev.ejectedUntil())) {
        // Still unhealthy when its time ran out: ejected for another period. Recorded, so the
        // decision log holds every deadline a restart must honour.
        changes.add(change(s, EndpointAction.ENDPOINT_ACTION_EXTEND, next, trigger, reasons));
      } else if (suppressed && !prev.suppressed()) {
        changes.add(change(s, EndpointAction.ENDPOINT_ACTION_SUPPRESSED, next, trigger, reasons));
      } else if (reaffirmDue(s, next)) {
        // A restart reads the log back over max-ejection-time + offence-memory: a state kept
        // longer than that without a record would come back neutral.
        reasons.add(
            "unchanged since " + next.loggedAt() + ": written again so that a restart finds it");
        changes.add(change(s, EndpointAction.ENDPOINT_ACTION_REAFFIRM, next, trigger, reasons));
      }
      // A SUPPRESSED change is not one a restart reads back (PolicyRecovery skips it).
      boolean logged =
          changes.size() > logBefore
              && changes.get(changes.size() - 1).action()
                  != EndpointAction.ENDPOINT_ACTION_SUPPRESSED;
      states.put(s.id, logged ? next.logged(now) : next);
    }

    /** A reduced state, not pinned by an override, whose last record is max-ejection-time old. */
    private boolean reaffirmDue(Slot s, EndpointState next) {
      return s.override == null
          && next.status() != EndpointStatus.EJECTED
          && (next.status() == EndpointStatus.DEGRADED || next.weight() != config.neutralWeight())
          && !now.isBefore(next.loggedAt().plus(config.maxEjectionTime()));
    }

    private EndpointChange change(
        Slot s,
        EndpointAction action,
        EndpointState next,
        DecisionTrigger trigger,
        List<String> reasons) {
      return new EndpointChange(
          s.id,
          s.subset,
          action,
          s.prev.weight(),
          next.weight(),
          s.prev.status(),
          next.status(),
          trigger,
          reasons,
          next.ejectedUntil(),
          next.offences());
    }

    private Integer pinned(Slot s) {
      return s.override == null ? null : s.override.weight();
    }

    ServiceRouting routing() {
      return new ServiceRouting(
          service, RouteWeights.compute(service, routings, config, shifts()), routings);
    }

    private List<RouteShift> shifts() {
      return input.shifts().stream().filter(s -> s.service().equals(service.name())).toList();
    }

    private List<RouteShift> changedShifts() {
      Map<String, Integer> before = input.previous().shifts();
      return shifts().stream()
          .filter(s -> before.getOrDefault(s.ref(), 100) != s.remainingPercent())
          .toList();
    }

    java.util.Optional<ServiceDecision> decision(
        ServiceRouting routing, @Nullable Map<String, Integer> previousWeights, PolicyMode mode) {
      return Decisions.assemble(
          service.name(),
          changes,
          routing,
          previousWeights,
          mode,
          input.health(),
          config.dryRun(),
          changedShifts());
    }
  }
}
