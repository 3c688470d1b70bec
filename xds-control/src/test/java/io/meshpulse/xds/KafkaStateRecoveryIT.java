package io.meshpulse.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.Topics;
import io.meshpulse.xds.control.OverrideStore;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.rollout.Rollouts;
import io.meshpulse.xds.rolloutstore.RolloutTopic;
import io.meshpulse.xds.shift.AlertShifts;
import io.meshpulse.xds.shift.SubsetShifts;
import io.meshpulse.xds.topology.Topology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A restart whose Kafka cannot be reached waits one read's timeout, not one per topic. */
class KafkaStateRecoveryIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(4);

  @Test
  void kafkaUnreachable_theThreeTopicsTimeOutTogether_andTheLoopStartsWithoutMemory()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    XdsControlProperties.Kafka kafka =
        new XdsControlProperties.Kafka(
            bootstrap,
            "meshpulse-xds-control",
            null,
            Topics.ENDPOINT_HEALTH,
            Topics.SERVICE_HEALTH,
            Topics.ROUTING_DECISIONS,
            Topics.ROUTING_OVERRIDES,
            Topics.ROLLOUTS,
            Duration.ofMillis(100),
            java.util.Map.of());
    PolicyConfig config = PolicyConfig.builder().build();
    OverrideStore overrides = new OverrideStore();
    Instant now = Instant.now();
    Rollouts rollouts = new Rollouts(config.staleAfter(), 0.5, List.of(), now);
    SubsetShifts shifts =
        new SubsetShifts(
            new SubsetShifts.Config(
                true,
                100,
                config.staleAfter(),
                Duration.ofSeconds(30),
                25,
                Duration.ofSeconds(5),
                50));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RolloutTopic rolloutTopic =
        new RolloutTopic(
            KafkaClientConfig.of(bootstrap),
            "recovery-it",
            Topics.ROLLOUTS,
            Duration.ofMillis(500),
            Duration.ofSeconds(5),
            new SimpleMeterRegistry())) {
      KafkaStateRecovery recovery =
          new KafkaStateRecovery(
              kafka,
              config,
              overrides,
              shifts,
              new AlertShifts(List.of(), Duration.ZERO),
              rollouts,
              rolloutTopic,
              // Taking the writes over is the runtime's part (LeaderElectionIT).
              () -> {},
              TIMEOUT,
              registry);
      for (String what : List.of("overrides", "rollouts", "decisions")) {
        assertThat(recovery.restored(what)).as("%s before the start", what).isTrue();
      }

      long start = System.nanoTime();
      PolicyState state = recovery.recover(Topology.EMPTY, now);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(state).as("the policy starts as on a first start").isEqualTo(PolicyState.INITIAL);
      assertThat(overrides.snapshot()).as("no override restored").isEmpty();
      assertThat(rollouts.list()).as("no rollout restored").isEmpty();
      assertThat(took)
          .as("start-up held for about one timeout (%s), not one per topic", TIMEOUT)
          .isGreaterThanOrEqualTo(TIMEOUT.minusMillis(500))
          .isLessThan(TIMEOUT.multipliedBy(2));
      for (String what : List.of("overrides", "rollouts", "decisions")) {
        assertThat(recovery.restored(what)).as("%s not read", what).isFalse();
        assertThat(
                registry.get("meshpulse.xds.state.unrestored").tag("state", what).gauge().value())
            .as("the gauge the alert reads, for %s", what)
            .isEqualTo(1.0);
      }
    }
  }
}
