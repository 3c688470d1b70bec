package io.meshpulse.xds.rollout;

import io.meshpulse.model.v1.RolloutRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Maps rollouts to and from their records on the rollouts topic. Pure. */
public final class RolloutRecords {
  private RolloutRecords() {}

  public static RolloutRecord toRecord(Rollout r) {
    RolloutSpec s = r.spec();
    return RolloutRecord.newBuilder()
        .setService(s.service())
        .setCanary(s.canary())
        .setStable(s.stable())
        .setStepPercent(s.stepPercent())
        .setIntervalMillis(s.interval().toMillis())
        .setMaxPercent(s.maxPercent())
        .setMinScore(s.minScore())
        .setMinHealthyPercent(s.minHealthyPercent())
        .setServiceLabel(s.serviceLabel())
        .setSubsetLabel(s.subsetLabel())
        .setRoute(s.route())
        .setState(r.state().name())
        .setPercent(r.percent())
        .setLastStepUnixMillis(r.lastStepAt() == null ? 0 : r.lastStepAt().toEpochMilli())
        .setReason(r.reason())
        .setUpdatedUnixMillis(r.updatedAt().toEpochMilli())
        .build();
  }

  /**
   * The rollout a record holds; empty when it holds no valid one (settings a rollout would refuse,
   * an unknown state, a percent above its maximum).
   */
  public static Optional<Rollout> fromRecord(RolloutRecord r) {
    RolloutState state;
    RolloutSpec spec;
    try {
      state = RolloutState.valueOf(r.getState());
      spec =
          RolloutSpec.builder()
              .service(r.getService())
              .canary(r.getCanary())
              .stable(r.getStable())
              .stepPercent(r.getStepPercent())
              .interval(Duration.ofMillis(r.getIntervalMillis()))
              .maxPercent(r.getMaxPercent())
              .minScore(r.getMinScore())
              .minHealthyPercent(r.getMinHealthyPercent())
              .serviceLabel(r.getServiceLabel())
              .subsetLabel(r.getSubsetLabel())
              .route(r.getRoute())
              .build();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (r.getPercent() > spec.maxPercent()) {
      return Optional.empty();
    }
    return Optional.of(
        new Rollout(
            spec,
            state,
            r.getPercent(),
            r.getLastStepUnixMillis() == 0 ? null : Instant.ofEpochMilli(r.getLastStepUnixMillis()),
            r.getReason(),
            Instant.ofEpochMilli(r.getUpdatedUnixMillis())));
  }
}
