package io.meshpulse.xds;

import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.control.StateRecovery;
import io.meshpulse.xds.decision.DecisionLogReader;
import io.meshpulse.xds.kafka.TopicReplay;
import io.meshpulse.xds.override.OverrideLogReader;
import io.meshpulse.xds.policy.EndpointStatus;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.PolicyRecovery;
import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.rollout.Rollout;
import io.meshpulse.xds.rollout.Rollouts;
import io.meshpulse.xds.rolloutstore.RolloutTopic;
import io.meshpulse.xds.shift.AlertShiftLog;
import io.meshpulse.xds.shift.AlertShifts;
import io.meshpulse.xds.shift.SubsetShifts;
import io.meshpulse.xds.topology.Topology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restart's memory, read from Kafka before the first evaluation: the operator overrides in force
 * (the overrides topic), the rollouts (the rollouts topic), and the endpoints' states, subset
 * shifts and alert shifts rebuilt from the decision log, read back over {@link
 * PolicyRecovery#lookback} or the subset shifts' {@link SubsetShifts#memory}, whichever is longer.
 *
 * <p>The three topics are read at the same time, each within {@code timeout}, so a Kafka that
 * cannot be reached holds the start for one timeout, not three. A topic that cannot be read is
 * logged and the loop starts without what it holds, as a first start does; {@code
 * meshpulse_xds_state_unrestored{state}} (overrides, rollouts, decisions) is then 1 for the life of
 * the process, and MeshRoutingStateNotRestored fires.
 */
final class KafkaStateRecovery implements StateRecovery {
  private static final Logger logger = LoggerFactory.getLogger(KafkaStateRecovery.class);

  private final String decisionsTopic;
  private final DecisionLogReader decisionReader;
  private final OverrideLogReader overrideReader;
  private final RolloutTopic rolloutTopic;
  private final Runnable takeOverWrites;
  private final PolicyConfig config;
  private final OverrideStore overrides;
  private final @Nullable SubsetShifts subsetShifts;
  private final AlertShifts alertShifts;
  private final Rollouts rollouts;
  private final Duration readBack;
  private final Duration timeout;
  private final Map<String, AtomicInteger> unrestored = new LinkedHashMap<>();

  KafkaStateRecovery(
      XdsControlProperties.Kafka kafka,
      PolicyConfig config,
      OverrideStore overrides,
      @Nullable SubsetShifts subsetShifts,
      AlertShifts alertShifts,
      Rollouts rollouts,
      RolloutTopic rolloutTopic,
      Runnable takeOverWrites,
      Duration timeout,
      MeterRegistry registry) {
    this.takeOverWrites = takeOverWrites;
    this.decisionsTopic = kafka.routingDecisionsTopic();
    this.decisionReader = new DecisionLogReader(kafka.clients(), decisionsTopic);
    this.overrideReader = new OverrideLogReader(kafka.clients(), kafka.routingOverridesTopic());
    this.rolloutTopic = rolloutTopic;
    this.config = config;
    this.overrides = overrides;
    this.subsetShifts = subsetShifts;
    this.alertShifts = alertShifts;
    this.rollouts = rollouts;
    this.readBack = readBack(config, subsetShifts);
    this.timeout = timeout;
    for (String state : List.of("overrides", "rollouts", "decisions")) {
      AtomicInteger flag = new AtomicInteger();
      Gauge.builder("meshpulse.xds.state.unrestored", flag, AtomicInteger::get)
          .description(
              "1 when the start could not read this state from Kafka and runs without it:"
                  + " overrides, rollouts, or the decision log's ejections and shifts")
          .tag("state", state)
          .register(registry);
      unrestored.put(state, flag);
    }
  }

  /**
   * How far back a start reads the decision log: {@link PolicyRecovery#lookback} or the subset
   * shifts' {@link SubsetShifts#memory}, whichever is longer.
   */
  static Duration readBack(PolicyConfig config, @Nullable SubsetShifts subsetShifts) {
    Duration lookback = PolicyRecovery.lookback(config);
    return subsetShifts != null && subsetShifts.memory().compareTo(lookback) > 0
        ? subsetShifts.memory()
        : lookback;
  }

  /** Whether the start read {@code state} (overrides, rollouts, decisions); true before it ran. */
  boolean restored(String state) {
    return unrestored.get(state).get() == 0;
  }

  private void notRestored(String state) {
    unrestored.get(state).set(1);
  }

  @Override
  public PolicyState recover(Topology topology, Instant now) {
    // First: what an earlier leader wrote after this, Kafka refuses, so the reads find all it did.
    takeOverWrites.run();
    CompletableFuture<Void> overridesRead =
        inBackground(
            "overrides",
            () -> {
              if (!overrideReader.restoreInto(overrides, timeout)) {
                notRestored("overrides");
              }
            });
    CompletableFuture<Void> rolloutsRead =
        inBackground("rollouts", () -> restoreRollouts(topology));
    PolicyState state = policyState(topology, now);
    // Each read ends within its own timeout: these joins wait no longer than the slowest.
    overridesRead.join();
    rolloutsRead.join();
    return state;
  }

  private static CompletableFuture<Void> inBackground(String what, Runnable read) {
    return CompletableFuture.runAsync(
        read,
        task -> {
          Thread t = new Thread(task, "meshpulse-recover-" + what);
          t.setDaemon(true);
          t.start();
        });
  }

  private void restoreRollouts(Topology topology) {
    try {
      TopicReplay.Compacted<Rollout> read = rolloutTopic.read(timeout);
      List<String> restored = rollouts.restore(read.values(), topology);
      logger.info(
          "rollouts restored from the rollouts topic records={} stored={} restored={}",
          read.records(),
          read.values().size(),
          restored);
    } catch (TimeoutException | RuntimeException e) {
      notRestored("rollouts");
      logger.warn(
          "rollouts topic not read; API rollouts are gone and declared ones start again from 0 %",
          e);
    }
  }

  private PolicyState policyState(Topology topology, Instant now) {
    Instant since = now.minus(readBack);
    try {
      DecisionLogReader.Read read = decisionReader.read(since, timeout);
      Map<String, PolicyRecovery.LoggedShift> shifts = PolicyRecovery.shifts(read.decisions());
      PolicyState state = PolicyRecovery.rebuild(read.decisions(), shifts, topology, config);
      if (subsetShifts != null) {
        subsetShifts.restore(shifts.values());
      }
      List<String> alerts = alertShifts.restore(AlertShiftLog.read(read.decisions()).values(), now);
      long ejected =
          state.endpoints().values().stream()
              .filter(e -> e.status() == EndpointStatus.EJECTED)
              .count();
      logger.info(
          "policy state recovered from the decision log since={} decisions={} endpoints={}"
              + " ejected={} shifts={} alert_shifts={}",
          since,
          read.decisions().size(),
          state.endpoints().size(),
          ejected,
          shifts.keySet(),
          alerts);
      return state;
    } catch (TimeoutException | RuntimeException e) {
      notRestored("decisions");
      logger.warn(
          "decision log not read; the policy starts without its memory of ejections and subset"
              + " shifts topic={}",
          decisionsTopic,
          e);
      return PolicyState.INITIAL;
    }
  }
}
