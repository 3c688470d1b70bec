package io.meshpulse.xds.control;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.decision.DecisionMapper;
import io.meshpulse.xds.decision.DecisionSink;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.PolicyInput;
import io.meshpulse.xds.policy.PolicyResult;
import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.RoutingPolicy;
import io.meshpulse.xds.policy.ServiceDecision;
import io.meshpulse.xds.routing.RouteComposer;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.server.XdsPublisher;
import io.meshpulse.xds.topology.Topology;
import io.meshpulse.xds.topology.TopologySource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop. One thread evaluates the policy and publishes xDS snapshots, so every xDS state
 * change is serialized. Evaluations are requested by each health update (coalesced, so a burst of
 * records costs one evaluation) and by a periodic tick for staleness and ramps. Nothing is
 * evaluated or published until the health table is ready.
 */
public final class PolicyLoop implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PolicyLoop.class);

  private final RoutingPolicy policy;
  private final TopologySource topology;
  private final HealthSource health;
  private final OverrideStore overrides;
  private final ShiftSource shifts;
  private final StateRecovery recovery;
  // Loop thread only: whether the first evaluation has asked the recovery.
  private boolean recovered;
  private final Supplier<RoutingConfig> routing;
  private final RouteComposer composer = new RouteComposer();
  private final XdsPublisher publisher;
  private final List<DecisionSink> sinks;
  private final Clock clock;
  private final Duration tick;
  private final MeterRegistry registry;
  private final EndpointMeters meters;
  private final Timer evaluations;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final long minIntervalNanos;
  // When the last evaluation began (System.nanoTime); far in the past before the first.
  private volatile long lastStartNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
  // Set by close(): an evaluation still queued then does not start (the first would recover the
  // policy's memory from Kafka while the producers it publishes to are closing).
  private volatile boolean closing;
  private volatile LoopView view = LoopView.INITIAL;

  public PolicyLoop(
      RoutingPolicy policy,
      TopologySource topology,
      HealthSource health,
      OverrideStore overrides,
      XdsPublisher publisher,
      List<DecisionSink> sinks,
      Clock clock,
      Duration tick,
      MeterRegistry registry) {
    this(
        policy,
        topology,
        health,
        overrides,
        ShiftSource.NONE,
        StateRecovery.NONE,
        () -> RoutingConfig.EMPTY,
        publisher,
        sinks,
        clock,
        tick,
        Duration.ZERO,
        registry);
  }

  /**
   * @param shifts the route shifts in force, given the evaluation's topology and health table
   * @param recovery the policy's memory to start from (a restart's), read before the first
   *     evaluation, once the health table is ready
   * @param routing the routing configuration in force (gateways, virtual services); the shifts
   *     apply to its routes too
   * @param minInterval the least time from one evaluation's start to the next: a stream of health
   *     updates is evaluated at most once per interval, not once per update the loop can keep up
   *     with
   */
  public PolicyLoop(
      RoutingPolicy policy,
      TopologySource topology,
      HealthSource health,
      OverrideStore overrides,
      ShiftSource shifts,
      StateRecovery recovery,
      Supplier<RoutingConfig> routing,
      XdsPublisher publisher,
      List<DecisionSink> sinks,
      Clock clock,
      Duration tick,
      Duration minInterval,
      MeterRegistry registry) {
    if (minInterval.isNegative()) {
      throw new IllegalArgumentException("min-interval must not be negative: " + minInterval);
    }
    this.minIntervalNanos = minInterval.toNanos();
    this.routing = routing;
    this.policy = policy;
    this.shifts = shifts;
    this.recovery = recovery;
    this.topology = topology;
    this.health = health;
    this.overrides = overrides;
    this.publisher = publisher;
    this.sinks = List.copyOf(sinks);
    this.clock = clock;
    this.tick = tick;
    this.registry = registry;
    this.meters = new EndpointMeters(registry, clock);
    registerDecisionCounters();
    this.evaluations =
        Timer.builder("meshpulse.xds.policy.evaluation")
            .description(
                "time to evaluate the policy and publish its routing, per evaluation once the"
                    + " health table is ready")
            .register(registry);
    ScheduledThreadPoolExecutor thread =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "meshpulse-xds-loop");
              t.setDaemon(true);
              return t;
            });
    // At close, a decision queued to be recorded still is; an evaluation not yet due is not run.
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.executor = thread;
  }

  public void start() {
    topology.onChange(t -> requestEvaluation());
    executor.scheduleWithFixedDelay(
        this::requestEvaluation, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Asks for an evaluation as soon as the loop thread is free and the minimum interval since the
   * last one began has passed; coalesces repeated requests.
   */
  public void requestEvaluation() {
    if (pending.compareAndSet(false, true)) {
      long wait = minIntervalNanos - (System.nanoTime() - lastStartNanos);
      try {
        if (wait > 0) {
          executor.schedule(this::evaluate, wait, TimeUnit.NANOSECONDS);
        } else {
          executor.execute(this::evaluate);
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        pending.set(false);
      }
    }
  }

  /** Runs a task on the loop thread (for example, recording an audit decision in order). */
  public void execute(Runnable task) {
    executor.execute(task);
  }

  public LoopView view() {
    return view;
  }

  public RoutingPolicy policy() {
    return policy;
  }

  private void evaluate() {
    if (closing) {
      return;
    }
    lastStartNanos = System.nanoTime();
    pending.set(false);
    try {
      if (!health.ready()) {
        return;
      }
      evaluations.record(this::evaluateReady);
    } catch (RuntimeException e) {
      logger.warn("policy evaluation failed, keeping the last routing", e);
    }
  }

  private void evaluateReady() {
    Instant now = clock.instant();
    LoopView before = view;
    Topology current = topology.current();
    HealthTable table = health.table(current);
    PolicyState previous = before.state();
    if (!recovered) {
      recovered = true;
      previous = recovery.recover(current, now);
    }
    List<RouteShift> inForce =
        shifts.advance(now, current, table, policy.mode(table, now, previous));
    RoutingConfig written = routing.get();
    PolicyResult result =
        policy.evaluate(
            new PolicyInput(
                current,
                table,
                overrides.snapshot(),
                inForce,
                now,
                previous,
                RouteComposer.routeDestinations(written, inForce)));
    RouteComposer.Composition routes =
        composer.compose(
            written,
            inForce,
            policy.config().dryRun(),
            // intended: in dry run too, the decisions say what would be served
            result.intended().emptiedSubsets());
    String version = publisher.publish(result.served(), routes.served(), policy.config());
    view = new LoopView(result.intended(), result.served(), result.state(), version, now, true);
    if (!before.ready()) {
      logger.info(
          "first routing published xdsVersion={} services={}",
          version,
          result.served().services().size());
    }
    for (ServiceDecision d : result.decisions()) {
      emit(DecisionMapper.toRecord(d, now, version, policy.config().dryRun()));
    }
    for (ServiceDecision d : routes.decisions()) {
      emit(DecisionMapper.toRecord(d, now, version, policy.config().dryRun()));
    }
    meters.update(result.intended(), table);
  }

  /**
   * Registers {@code meshpulse_decisions_total} at zero for every action it can count, so the first
   * decision of each is an increase a query sees, not a series that appears at 1.
   */
  private void registerDecisionCounters() {
    for (EndpointAction action : EndpointAction.values()) {
      if (action != EndpointAction.ENDPOINT_ACTION_UNSPECIFIED
          && action != EndpointAction.UNRECOGNIZED) {
        decisionCounter(actionLabel(action));
      }
    }
    for (DecisionTrigger trigger : DecisionTrigger.values()) {
      if (trigger != DecisionTrigger.DECISION_TRIGGER_UNSPECIFIED
          && trigger != DecisionTrigger.UNRECOGNIZED) {
        decisionCounter(actionLabel(trigger));
      }
    }
  }

  private Counter decisionCounter(String action) {
    return Counter.builder("meshpulse.decisions")
        .description(
            "Routing decisions, by endpoint action or, without an endpoint change, trigger")
        .tag("action", action)
        .register(registry);
  }

  private static String actionLabel(EndpointAction action) {
    return action.name().replace("ENDPOINT_ACTION_", "").toLowerCase(Locale.ROOT);
  }

  private static String actionLabel(DecisionTrigger trigger) {
    return trigger.name().replace("DECISION_TRIGGER_", "").toLowerCase(Locale.ROOT);
  }

  /** How many evaluations ran once the health table was ready, and how long they took. */
  public Timer evaluations() {
    return evaluations;
  }

  /**
   * Sends a decision to every sink and counts it by action. A decision that only records a route
   * shift's new percent, with no weight moved, is logged but not counted. Call on the loop thread.
   */
  public void emit(RoutingDecision decision) {
    // A shift that moved no weight, or an alert shift's transition: logged, not counted.
    boolean shiftOnly =
        (decision.getShiftChangesCount() > 0 || decision.getAlertShiftsCount() > 0)
            && decision.getEndpointChangesCount() == 0
            && decision.getRouteChangesCount() == 0;
    if (decision.getEndpointChangesCount() == 0 && !shiftOnly) {
      decisionCounter(actionLabel(decision.getTrigger())).increment();
    }
    decision
        .getEndpointChangesList()
        .forEach(c -> decisionCounter(actionLabel(c.getAction())).increment());
    for (DecisionSink sink : sinks) {
      try {
        sink.accept(decision);
      } catch (RuntimeException e) {
        logger.warn("decision sink failed id={}", decision.getId(), e);
      }
    }
  }

  /**
   * Stops the loop: the evaluation under way and the tasks queued on its thread (decisions to
   * record) finish within 5 s, then the thread is interrupted; no evaluation starts any more.
   */
  @Override
  public void close() {
    closing = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
