package io.meshpulse.xds.api;

import io.meshpulse.xds.rollout.Rollout;
import io.meshpulse.xds.rollout.RolloutSpec;
import org.jspecify.annotations.Nullable;

/**
 * A rollout as the API shows it.
 *
 * @param percent the share of the stable subset's traffic the canary gets now
 * @param reason why it is where it is (the last step's health, the rollback's cause)
 * @param route the one route it moves; empty: every route that sends to the stable subset
 * @param stored whether its latest change is on the rollouts topic, so that a restart keeps it
 */
public record RolloutView(
    String service,
    String subset,
    String stable,
    String state,
    int percent,
    int stepPercent,
    long intervalMillis,
    int maxPercent,
    double minScore,
    int minHealthyPercent,
    String route,
    String reason,
    String triggerRef,
    @Nullable String lastStepAt,
    String updatedAt,
    boolean stored) {

  static RolloutView of(Rollout r, boolean stored) {
    RolloutSpec s = r.spec();
    return new RolloutView(
        s.service(),
        s.canary(),
        s.stable(),
        r.state().name(),
        r.percent(),
        s.stepPercent(),
        s.interval().toMillis(),
        s.maxPercent(),
        s.minScore(),
        s.minHealthyPercent(),
        s.route(),
        r.reason(),
        r.ref(),
        r.lastStepAt() == null ? null : r.lastStepAt().toString(),
        r.updatedAt().toString(),
        stored);
  }
}
