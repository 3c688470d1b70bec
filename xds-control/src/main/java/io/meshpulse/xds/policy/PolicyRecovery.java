package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ShiftChange;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Rebuilds the policy's memory of its endpoints from the decision log, so that a restarted
 * xds-control goes on where the last one stopped: an ejected endpoint stays ejected until its
 * deadline (it gets no traffic, so its health record goes stale, and stale alone would re-admit it
 * at full weight), a ramp goes on from its weight, and offences keep doubling the ejection time.
 * Each endpoint takes its last change in the log. Route shifts are read back too ({@link #shifts}):
 * each shift's last percent, with when it last went down and how often since it was last ended;
 * what holds a shift (subset health, an alert, a rollout) decides what to take from them.
 */
public final class PolicyRecovery {
  private PolicyRecovery() {}

  /** How far back a restart reads the decision log: an ejection and the memory of it after. */
  public static Duration lookback(PolicyConfig config) {
    return config.maxEjectionTime().plus(config.offenceMemory());
  }

  /**
   * @param decisions the log's decisions, in any order
   * @param topology endpoints it does not serve are left out
   */
  public static PolicyState rebuild(
      List<RoutingDecision> decisions, Topology topology, PolicyConfig config) {
    return rebuild(decisions, shifts(decisions), topology, config);
  }

  /**
   * @param decisions the log's decisions, in any order
   * @param shifts {@link #shifts} of the same decisions, when the caller needs them too
   * @param topology endpoints it does not serve are left out
   */
  public static PolicyState rebuild(
      List<RoutingDecision> decisions,
      Map<String, LoggedShift> shifts,
      Topology topology,
      PolicyConfig config) {
    Set<EndpointId> served = new HashSet<>();
    topology
        .services()
        .forEach(s -> s.endpoints().forEach(e -> served.add(EndpointId.of(s.name(), e))));
    Map<EndpointId, EndpointState> states = new HashMap<>();
    List<RoutingDecision> ordered =
        decisions.stream()
            .sorted(Comparator.comparingLong(RoutingDecision::getDecidedUnixMillis))
            .toList();
    for (RoutingDecision d : ordered) {
      Instant at = Instant.ofEpochMilli(d.getDecidedUnixMillis());
      for (EndpointChange c : d.getEndpointChangesList()) {
        EndpointStatus status = policyStatus(c.getNewPolicyStatus());
        if (status == null || c.getAction() == EndpointAction.ENDPOINT_ACTION_SUPPRESSED) {
          continue;
        }
        EndpointId id =
            new EndpointId(d.getCluster(), c.getEndpoint().getAddress(), c.getEndpoint().getPort());
        if (!served.contains(id)) {
          continue;
        }
        EndpointState prev = states.get(id);
        EndpointStatus logged = policyStatus(c.getOldPolicyStatus());
        EndpointStatus old =
            prev != null ? prev.status() : logged != null ? logged : EndpointStatus.ACTIVE;
        boolean changed = status != old;
        boolean worse = status.compareTo(old) > 0 || c.getNewWeight() < c.getOldWeight();
        Instant until =
            status == EndpointStatus.EJECTED && c.getEjectedUntilUnixMillis() > 0
                ? Instant.ofEpochMilli(c.getEjectedUntilUnixMillis())
                : null;
        states.put(
            id,
            new EndpointState(
                status,
                c.getNewWeight(),
                changed || prev == null ? at : prev.since(),
                c.getOffences(),
                until,
                c.getNewWeight() != c.getOldWeight()
                    ? at
                    : prev == null ? Instant.EPOCH : prev.lastStepAt(),
                false,
                changed ? status.compareTo(old) > 0 : prev != null && prev.escalated(),
                worse ? at : prev == null ? null : prev.lastBadAt(),
                at));
      }
    }
    Map<String, Integer> shiftPercents = new HashMap<>();
    shifts.forEach((ref, s) -> shiftPercents.put(ref, s.shift().remainingPercent()));
    return new PolicyState(states, Map.of(), PolicyMode.NORMAL, null, shiftPercents);
  }

  /**
   * A route shift as the decision log last recorded it.
   *
   * @param loweredAt when its percent last went down (the shift started or took more weight); from
   *     a reaffirmation, when its subset was last seen failing: a subset shift's hold runs from it
   * @param changedAt when its percent last changed
   * @param offences how often its percent went down since the shift last ended (at 100)
   */
  public record LoggedShift(RouteShift shift, Instant loweredAt, Instant changedAt, int offences) {}

  /**
   * The shifts in force when the log ends, by ref: those whose last recorded percent is below 100.
   * A reaffirmed record (a shift written again unchanged) gives the shift's state as its writer
   * held it.
   *
   * @param decisions the log's decisions, in any order
   */
  public static Map<String, LoggedShift> shifts(List<RoutingDecision> decisions) {
    Map<String, LoggedShift> shifts = new HashMap<>();
    List<RoutingDecision> ordered =
        decisions.stream()
            .filter(d -> d.getShiftChangesCount() > 0)
            .sorted(Comparator.comparingLong(RoutingDecision::getDecidedUnixMillis))
            .toList();
    for (RoutingDecision d : ordered) {
      Instant at = Instant.ofEpochMilli(d.getDecidedUnixMillis());
      for (ShiftChange c : d.getShiftChangesList()) {
        int percent = c.getRemainingPercent();
        LoggedShift prev = shifts.get(c.getRef());
        if (percent < 0 || c.getFromSubset().equals(c.getToSubset())) {
          continue; // not a shift any version writes (a uint32 past int's range, one subset)
        }
        if (percent >= 100) {
          shifts.remove(c.getRef());
          continue;
        }
        RouteShift shift =
            new RouteShift(
                c.getRef(),
                d.getCluster(),
                c.getFromSubset(),
                c.getToSubset(),
                percent,
                c.getReason(),
                c.getRoute());
        if (c.getReaffirmed()) {
          // Written again unchanged, with the state its writer held: it is the whole story, also
          // when the changes before it are older than the read-back.
          shifts.put(
              c.getRef(),
              new LoggedShift(
                  shift,
                  timeOr(c.getHeldSinceUnixMillis(), at),
                  timeOr(c.getChangedUnixMillis(), at),
                  Math.max(1, c.getOffences())));
          continue;
        }
        boolean lowered = prev == null || percent < prev.shift().remainingPercent();
        shifts.put(
            c.getRef(),
            new LoggedShift(
                shift,
                lowered ? at : prev.loweredAt(),
                at,
                prev == null ? 1 : lowered ? prev.offences() + 1 : prev.offences()));
      }
    }
    return shifts;
  }

  private static Instant timeOr(long unixMillis, Instant otherwise) {
    return unixMillis > 0 ? Instant.ofEpochMilli(unixMillis) : otherwise;
  }

  /** A logged policy status; {@code null} for a record written before it was logged. */
  private static @Nullable EndpointStatus policyStatus(String name) {
    try {
      return name.isEmpty() ? null : EndpointStatus.valueOf(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
