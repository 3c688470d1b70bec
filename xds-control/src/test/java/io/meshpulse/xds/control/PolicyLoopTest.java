package io.meshpulse.xds.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointState;
import io.meshpulse.xds.policy.EndpointStatus;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.PolicyMode;
import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.policy.RoutingPolicy;
import io.meshpulse.xds.server.XdsMetrics;
import io.meshpulse.xds.server.XdsPublisher;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologySource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PolicyLoopTest {
  private static final Topology TOPOLOGY =
      new Topology(
          List.of(
              new ServiceSpec(
                  "reviews",
                  9080,
                  ServiceProtocol.HTTP,
                  List.of(
                      new SubsetSpec(
                          "v1",
                          Map.of(),
                          3,
                          List.of(
                              new EndpointSpec("10.0.0.1", 80, LocalitySpec.NONE),
                              new EndpointSpec("10.0.0.2", 80, LocalitySpec.NONE),
                              new EndpointSpec("10.0.0.3", 80, LocalitySpec.NONE)))))));

  /** A hand-written health source whose readiness the test controls; counts table reads. */
  private static final class FakeHealth implements HealthSource {
    volatile boolean ready;
    volatile HealthTable table = HealthTable.EMPTY;
    final AtomicInteger reads = new AtomicInteger();
    volatile long lastReadNanos;

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public HealthTable table(Topology topology) {
      lastReadNanos = System.nanoTime();
      reads.incrementAndGet();
      return table;
    }
  }

  private static final class FixedTopology implements TopologySource {
    @Override
    public Topology current() {
      return TOPOLOGY;
    }

    @Override
    public void onChange(Consumer<Topology> listener) {}

    @Override
    public Optional<String> lastError() {
      return Optional.empty();
    }

    @Override
    public long rejectedUpdates() {
      return 0;
    }

    @Override
    public void close() {}
  }

  @Test
  void nothingIsPublishedOrDecidedUntilTheHealthTableIsReady_thenAHealthUpdateActsAtOnce()
      throws Exception {
    FakeHealth health = new FakeHealth();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    XdsPublisher publisher = new XdsPublisher(new XdsMetrics(registry));
    List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();
    Instant now = Instant.now();
    health.table =
        HealthTable.of(
            Map.of(
                "reviews/10.0.0.2:80",
                observation("10.0.0.2", HealthState.HEALTH_STATE_UNHEALTHY, 0.1, now)));
    try (PolicyLoop loop =
        new PolicyLoop(
            new RoutingPolicy(PolicyConfig.DEFAULTS),
            new FixedTopology(),
            health,
            new OverrideStore(),
            publisher,
            List.of(decisions::add),
            Clock.systemUTC(),
            Duration.ofMillis(50),
            registry)) {
      loop.start();
      Thread.sleep(300);
      assertThat(publisher.version()).as("xDS version before ready").isNull();
      assertThat(decisions).as("decisions before ready").isEmpty();
      assertThat(loop.view().ready()).as("view ready").isFalse();
      assertThat(registry.find("meshpulse.decisions").counters())
          .as("every action's decision counter, at zero before the first decision")
          .allSatisfy(c -> assertThat(c.count()).isZero())
          .extracting(c -> c.getId().getTag("action"))
          .containsExactlyInAnyOrder(
              "reweight",
              "eject",
              "readmit",
              "neutral",
              "suppressed",
              "extend",
              "reaffirm",
              "health",
              "staleness",
              "alert",
              "rollout",
              "override",
              "config");

      health.ready = true;
      long start = System.nanoTime();
      loop.requestEvaluation();
      while (decisions.isEmpty() && System.nanoTime() - start < 2_000_000_000L) {
        Thread.sleep(5);
      }
      assertThat(decisions).as("decisions after ready").hasSize(1);
      assertThat(decisions.get(0).getXdsVersion())
          .as("decision carries the pushed version")
          .isEqualTo(publisher.version());
      assertThat(loop.view().intended().services().get("reviews").endpoints().get(1).ejected())
          .as("the unhealthy endpoint is ejected in the first published routing")
          .isTrue();
      assertThat(registry.get("meshpulse.decisions").tag("action", "eject").counter().count())
          .as("decisions counted by action")
          .isEqualTo(1.0);
    }
  }

  @Test
  void aDecisionThatOnlyRecordsAShift_isLoggedButNotCounted_anAuditIsCounted() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();
    try (PolicyLoop loop =
        new PolicyLoop(
            new RoutingPolicy(PolicyConfig.DEFAULTS),
            new FixedTopology(),
            new FakeHealth(),
            new OverrideStore(),
            new XdsPublisher(new XdsMetrics(registry)),
            List.of(decisions::add),
            Clock.systemUTC(),
            Duration.ofMillis(50),
            registry)) {
      loop.emit(
          RoutingDecision.newBuilder()
              .setCluster("reviews")
              .setTrigger(io.meshpulse.model.v1.DecisionTrigger.DECISION_TRIGGER_HEALTH)
              .addShiftChanges(
                  io.meshpulse.model.v1.ShiftChange.newBuilder()
                      .setRef("health:reviews/v2")
                      .setFromSubset("v2")
                      .setToSubset("v1"))
              .build());
      loop.emit(
          RoutingDecision.newBuilder()
              .setCluster("reviews")
              .setTrigger(io.meshpulse.model.v1.DecisionTrigger.DECISION_TRIGGER_ROLLOUT)
              .addReasons("rollout reviews/v2 started")
              .build());
      assertThat(decisions).as("decisions logged").hasSize(2);
      assertThat(registry.get("meshpulse.decisions").tag("action", "health").counter().count())
          .as("a shift-only decision counted")
          .isZero();
      assertThat(registry.get("meshpulse.decisions").tag("action", "rollout").counter().count())
          .as("an audit decision counted")
          .isEqualTo(1.0);
    }
  }

  /** A loop over {@code health} with the given minimum interval, not started (no ticks). */
  private static PolicyLoop throttledLoop(FakeHealth health, Duration minInterval) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    return new PolicyLoop(
        new RoutingPolicy(PolicyConfig.DEFAULTS),
        new FixedTopology(),
        health,
        new OverrideStore(),
        ShiftSource.NONE,
        StateRecovery.NONE,
        () -> io.meshpulse.xds.routing.RoutingConfig.EMPTY,
        new XdsPublisher(new XdsMetrics(registry)),
        List.of(),
        Clock.systemUTC(),
        Duration.ofSeconds(10),
        minInterval,
        registry);
  }

  @Test
  void theFirstRequest_isEvaluatedAtOnce_andTheNextNotBeforeTheMinInterval() throws Exception {
    FakeHealth health = new FakeHealth();
    health.ready = true;
    try (PolicyLoop loop = throttledLoop(health, Duration.ofSeconds(5))) {
      long start = System.nanoTime();
      loop.requestEvaluation();
      await(() -> health.reads.get() >= 1);
      assertThat(System.nanoTime() - start)
          .as("the first request's evaluation (ns): waiting for the interval would take 5 s")
          .isLessThan(2_500_000_000L);
      // Requests every millisecond for 1 s: all wait for the interval since the first began.
      long burst = System.nanoTime();
      while (System.nanoTime() - burst < 1_000_000_000L) {
        loop.requestEvaluation();
        Thread.sleep(1);
      }
      assertThat(health.reads.get()).as("evaluations within the 5 s interval").isEqualTo(1);
    }
  }

  @Test
  void aStreamOfUpdates_isEvaluatedAtMostOncePerMinInterval_andNoneIsLost() throws Exception {
    FakeHealth health = new FakeHealth();
    health.ready = true;
    try (PolicyLoop loop = throttledLoop(health, Duration.ofMillis(100))) {
      long first = System.nanoTime();
      loop.requestEvaluation();
      await(() -> health.reads.get() >= 1);
      // Requests every millisecond for 0.55 s: one evaluation per 100 ms, not one per request.
      long burst = System.nanoTime();
      int requests = 0;
      long lastRequest = burst;
      while (System.nanoTime() - burst < 550_000_000L) {
        loop.requestEvaluation();
        lastRequest = System.nanoTime();
        requests++;
        Thread.sleep(1);
      }
      // The last request is evaluated too, however late the loop thread gets to it.
      long last = lastRequest;
      await(() -> health.lastReadNanos - last > 0);
      assertThat(health.lastReadNanos - lastRequest)
          .as("an evaluation that began after the last request (ns)")
          .isPositive();
      Thread.sleep(150);
      int evaluations = health.reads.get() - 1;
      long elapsedNanos = System.nanoTime() - first;
      // Each evaluation starts at least 100 ms after the one before, the first after `first`:
      // however slow this machine, the later ones number at most one per 100 ms since then.
      assertThat(evaluations)
          .as("evaluations in %d ms of %d requests", elapsedNanos / 1_000_000, requests)
          .isBetween(1, (int) (elapsedNanos / 100_000_000L));
    }
  }

  @Test
  void close_stillRunsWhatIsQueuedOnTheLoopThread_aDecisionToRecord_butNoEvaluation()
      throws Exception {
    FakeHealth health = new FakeHealth();
    health.ready = true;
    AtomicBoolean recorded = new AtomicBoolean();
    CountDownLatch busy = new CountDownLatch(1);
    PolicyLoop loop = throttledLoop(health, Duration.ofMillis(100));
    loop.execute(
        () -> {
          busy.countDown();
          try {
            Thread.sleep(300); // an evaluation under way
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    busy.await();
    loop.requestEvaluation(); // due at once, queued behind the running task
    loop.execute(() -> recorded.set(true));

    loop.close();

    assertThat(recorded).as("the task queued behind the running one, at close").isTrue();
    assertThat(health.reads.get()).as("evaluations started after close began").isZero();
  }

  @Test
  void theShiftsAreToldTheModeOfTheirEvaluation_andTheRecoveryIsAskedOnceBeforeTheFirst()
      throws Exception {
    FakeHealth health = new FakeHealth();
    health.ready = true; // and an empty table: nothing has ever been heard, the policy holds
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<PolicyMode> modes = new CopyOnWriteArrayList<>();
    AtomicInteger recoveries = new AtomicInteger();
    EndpointId bad = new EndpointId("reviews", "10.0.0.1", 80);
    StateRecovery recovery =
        (topology, now) -> {
          recoveries.incrementAndGet();
          EndpointState ejected =
              new EndpointState(
                  EndpointStatus.EJECTED,
                  100,
                  now,
                  1,
                  now.plusSeconds(30),
                  now,
                  false,
                  true,
                  now,
                  now);
          return new PolicyState(Map.of(bad, ejected), Map.of(), PolicyMode.NORMAL, null, Map.of());
        };
    try (PolicyLoop loop =
        new PolicyLoop(
            new RoutingPolicy(PolicyConfig.DEFAULTS),
            new FixedTopology(),
            health,
            new OverrideStore(),
            (now, topology, table, mode) -> {
              modes.add(mode);
              return List.of();
            },
            recovery,
            () -> io.meshpulse.xds.routing.RoutingConfig.EMPTY,
            new XdsPublisher(new XdsMetrics(registry)),
            List.of(),
            Clock.systemUTC(),
            Duration.ofSeconds(10),
            Duration.ZERO,
            registry)) {
      loop.requestEvaluation();
      await(() -> loop.view().ready());
      assertThat(modes.get(0)).as("mode told while silent").isEqualTo(PolicyMode.HOLD);
      assertThat(loop.view().intended().services().get("reviews").endpoints().get(0).ejected())
          .as("the recovered ejection is in the first routing")
          .isTrue();

      health.table =
          HealthTable.of(
              Map.of(
                  "reviews/10.0.0.2:80",
                  observation("10.0.0.2", HealthState.HEALTH_STATE_HEALTHY, 0.97, Instant.now())));
      loop.requestEvaluation();
      await(() -> modes.size() >= 2);
      assertThat(modes.get(1)).as("mode told once records arrive").isEqualTo(PolicyMode.NORMAL);
      assertThat(recoveries.get()).as("recovery asked").isEqualTo(1);
    }
  }

  private static HealthObservation observation(
      String address, HealthState state, double score, Instant at) {
    return new HealthObservation(
        EndpointHealth.newBuilder()
            .setCluster("reviews")
            .setEndpoint(Endpoint.newBuilder().setAddress(address).setPort(80))
            .setState(state)
            .setScore(score)
            .setConfidence(0.9)
            .build(),
        at);
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean() && System.nanoTime() - start < 5_000_000_000L) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as("evaluated within 5 s").isTrue();
  }
}
