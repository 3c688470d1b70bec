package io.meshpulse.xds.alertmanager;

import io.meshpulse.logging.LogLimiter;
import io.meshpulse.xds.shift.ActiveAlert;
import io.meshpulse.xds.shift.AlertShifts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Alertmanager for its active alerts at start and every interval, and brings the alert shifts
 * in line with the answer ({@link AlertShifts#reconcile}). The members of an HA cluster share their
 * alerts, so the first member that answers is used. When none answers nothing changes: the failure
 * is counted ({@code meshpulse.alerts.reconcile{outcome=failure}}) and logged at most once per
 * {@code warnEvery}. An Alertmanager keeps its alerts in memory only: for {@code startupGrace}
 * after it starts it lists none until Prometheus sends them again, so its answers may start shifts
 * but resolve none ({@code meshpulse.alerts.reconcile{outcome=success_fresh}}).
 */
public final class AlertReconciler implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AlertReconciler.class);
  private static final String WARNING = "members failing";

  private final List<AlertmanagerApi> members;
  private final AlertShifts shifts;
  private final Runnable onChange;
  private final Clock clock;
  private final Duration startupGrace;
  private final Counter successes;
  private final Counter fresh;
  private final Counter failures;
  private final Counter started;
  private final Counter resolved;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "alertmanager-reconcile");
            t.setDaemon(true);
            return t;
          });

  // At most one warning about failing members per warnEvery, counting those held back.
  private final LogLimiter warnings;
  // Touched by the scheduler's one thread (or a test's).
  private boolean failing;

  /**
   * @param members the Alertmanagers to ask, in order
   * @param onChange called after a reconciliation that started or resolved a shift
   * @param warnEvery the least time between two warnings about failing members
   * @param startupGrace how long after an Alertmanager's start its answers resolve no shift
   */
  public AlertReconciler(
      List<AlertmanagerApi> members,
      AlertShifts shifts,
      Runnable onChange,
      Clock clock,
      MeterRegistry registry,
      Duration warnEvery,
      Duration startupGrace) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("at least one Alertmanager is needed");
    }
    this.members = List.copyOf(members);
    this.shifts = shifts;
    this.onChange = onChange;
    this.clock = clock;
    this.warnings = new LogLimiter(warnEvery, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
    this.startupGrace = startupGrace;
    this.successes = outcome(registry, "success");
    this.fresh = outcome(registry, "success_fresh");
    this.failures = outcome(registry, "failure");
    this.started = change(registry, "started");
    this.resolved = change(registry, "resolved");
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("meshpulse.alerts.reconcile")
        .description("reconciliations with Alertmanager's active alerts, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Counter change(MeterRegistry registry, String change) {
    return Counter.builder("meshpulse.alerts.reconciled")
        .description("alert shifts started or resolved by a reconciliation with Alertmanager")
        .tag("change", change)
        .register(registry);
  }

  /** Reconciles now, then every {@code interval} after the previous one ends. */
  public void start(Duration interval) {
    scheduler.scheduleWithFixedDelay(
        this::reconcileQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reconcileQuietly() {
    try {
      reconcileOnce();
    } catch (RuntimeException e) {
      // Never let one bad run end the schedule.
      logger.error("alert reconciliation failed unexpectedly", e);
    }
  }

  /**
   * Asks the members in order until one answers and reconciles with its answer.
   *
   * @return what the answer changed; empty when no member answered, and then nothing changed
   */
  public Optional<AlertShifts.Reconciled> reconcileOnce() {
    StringBuilder errors = new StringBuilder();
    for (AlertmanagerApi member : members) {
      List<ActiveAlert> active;
      Optional<Instant> startedAt;
      try {
        active = member.activeAlerts();
        startedAt = member.startedAt();
      } catch (IOException e) {
        errors.append(errors.isEmpty() ? "" : "; ").append(member.name()).append(": ");
        errors.append(describe(e));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      long skipped = errors.isEmpty() ? -1 : warnings.admit(WARNING);
      if (skipped >= 0) {
        logger.warn(
            "alertmanager members did not answer; asked the next one url={} errors=[{}]"
                + " warnings.skipped={}",
            member.name(),
            errors,
            skipped);
      } else if (failing) {
        logger.info("alertmanager answers again url={}", member.name());
      }
      failing = false;
      Instant now = clock.instant();
      boolean mayResolve = startedAt.map(t -> !now.isBefore(t.plus(startupGrace))).orElse(true);
      (mayResolve ? successes : fresh).increment();
      AlertShifts.Reconciled result = shifts.reconcile(active, now, mayResolve);
      record(result, member);
      return Optional.of(result);
    }
    failing = true;
    failures.increment();
    long skipped = warnings.admit(WARNING);
    if (skipped >= 0) {
      logger.warn(
          "alertmanager not reached; alert shifts stay as they are errors=[{}] warnings.skipped={}",
          errors,
          skipped);
    }
    return Optional.empty();
  }

  /** The error as a log names it: its message, or its type and its cause's message. */
  static String describe(Throwable e) {
    if (e.getMessage() != null) {
      return e.getMessage();
    }
    Throwable cause = e.getCause();
    return cause != null && cause.getMessage() != null
        ? e.getClass().getSimpleName() + ": " + cause.getMessage()
        : e.getClass().getSimpleName();
  }

  private void record(AlertShifts.Reconciled result, AlertmanagerApi member) {
    if (result.started().isEmpty() && result.resolved().isEmpty()) {
      return;
    }
    started.increment(result.started().size());
    resolved.increment(result.resolved().size());
    logger.info(
        "alert shifts reconciled with alertmanager url={} started={} resolved={}",
        member.name(),
        result.started(),
        result.resolved());
    onChange.run();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
