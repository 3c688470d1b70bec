package io.meshpulse.xds.rollout;

import io.meshpulse.xds.policy.RouteShift;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One rollout's state: pure, advanced by {@link #advance} once per policy evaluation.
 *
 * <p>It waits one interval after the loop first sees it, then takes its first step whatever the
 * canary's health (a canary without traffic has none), unless that health is bad. Every later step
 * needs the canary's health to be good when its interval has passed; without fresh judged health it
 * holds. Bad health at any evaluation rolls it back at once. Good health an interval after reaching
 * {@code maxPercent} promotes it: the canary is judged at its full share before the rollout ends,
 * also when one step takes it there (a step of {@code maxPercent}, a blue-green switch).
 *
 * @param percent the share of the stable subset's traffic the canary gets
 * @param lastStepAt when it last stepped ({@code null} until the loop first sees it)
 * @param reason why it is where it is
 * @param updatedAt when its state, percent or reason last changed
 */
public record Rollout(
    RolloutSpec spec,
    RolloutState state,
    int percent,
    @Nullable Instant lastStepAt,
    String reason,
    Instant updatedAt) {

  /** The prefix of a rollout's route-shift ref: {@code rollout:<service>/<canary>}. */
  public static final String REF_PREFIX = RouteShift.ROLLOUT_REF_PREFIX;

  static Rollout declared(RolloutSpec spec, Instant now) {
    return new Rollout(
        spec, RolloutState.PROGRESSING, 0, null, "declared: first step after one interval", now);
  }

  /** The decision's trigger_ref: {@code rollout:<service>/<canary>}. */
  public String ref() {
    return REF_PREFIX + spec.key();
  }

  public boolean active() {
    return state == RolloutState.PROGRESSING;
  }

  Rollout advance(Instant now, CanaryVerdict verdict) {
    if (!active()) {
      return this;
    }
    if (verdict.kind() == CanaryVerdict.Kind.BAD) {
      return rollBack(verdict.summary(), now);
    }
    if (lastStepAt == null) {
      return new Rollout(spec, state, percent, now, reason, updatedAt);
    }
    if (now.isBefore(lastStepAt.plus(spec.interval()))) {
      return this;
    }
    if (percent > 0 && verdict.kind() == CanaryVerdict.Kind.UNKNOWN) {
      return withReason("holding at " + percent + " %: " + verdict.summary(), now);
    }
    if (percent == spec.maxPercent()) {
      // Judged GOOD at its full share, an interval after reaching it.
      String why =
          "promoted: canary at " + percent + " % through an interval: " + verdict.summary();
      return new Rollout(spec, RolloutState.PROMOTED, percent, now, why, now);
    }
    int next = Math.min(spec.maxPercent(), percent + spec.stepPercent());
    return new Rollout(
        spec, state, next, now, "canary at " + next + " %: " + verdict.summary(), now);
  }

  /** Holds an active rollout where it is, for {@code why}; a final one stays as it is. */
  Rollout hold(String why, Instant now) {
    return active() ? withReason("holding at " + percent + " %: " + why, now) : this;
  }

  /** Rolls an active rollout back (the canary gets no traffic); a final one stays as it is. */
  Rollout rollBack(String why, Instant now) {
    if (!active()) {
      return this;
    }
    return new Rollout(spec, RolloutState.ROLLED_BACK, 0, lastStepAt, "rolled back: " + why, now);
  }

  private Rollout withReason(String why, Instant now) {
    return why.equals(reason) ? this : new Rollout(spec, state, percent, lastStepAt, why, now);
  }

  /**
   * The route shift that gives the canary its percent of the stable subset's traffic; rolled back,
   * the canary's whole weight goes to the stable subset.
   */
  RouteShift toRouteShift() {
    String why = "rollout " + spec.key() + " " + state + ": " + reason;
    return state == RolloutState.ROLLED_BACK
        ? new RouteShift(ref(), spec.service(), spec.canary(), spec.stable(), 0, why, spec.route())
        : new RouteShift(
            ref(), spec.service(), spec.stable(), spec.canary(), 100 - percent, why, spec.route());
  }
}
