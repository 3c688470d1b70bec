package io.meshpulse.xds.shift;

import io.meshpulse.xds.policy.RouteShift;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The shift one alert (by fingerprint) holds on one route: pure state, advanced by {@link
 * #advance}. While firing it steps down to the action's floor; once resolved it steps back up to
 * 100 %, after which it is done. {@code cycles} counts how often the alert fired again soon after a
 * resolution; each such cycle doubles the wait before the first step back (up to {@link
 * #MAX_HOLD_FACTOR} ×).
 */
record AlertShift(
    String fingerprint,
    String alertName,
    String service,
    String from,
    ShiftAction action,
    boolean firing,
    int remainingPercent,
    @Nullable Instant nextStepAt,
    int cycles) {
  static final int MAX_HOLD_FACTOR = 16;

  /** A shift that takes its first step at once. */
  static AlertShift firing(
      String fingerprint,
      String alertName,
      String service,
      String from,
      ShiftAction action,
      int cycles) {
    return new AlertShift(fingerprint, alertName, service, from, action, true, 100, null, cycles);
  }

  /**
   * A shift as far down as it would be at {@code now} had it started when its alert did, at {@code
   * startsAt}: one step then, and one per step interval since, down to the floor.
   */
  AlertShift caughtUp(Instant startsAt, Instant now) {
    if (!firing || remainingPercent != 100 || !startsAt.isBefore(now)) {
      return this;
    }
    Duration interval = action.stepInterval();
    long intervals = Duration.between(startsAt, now).dividedBy(interval);
    long stepsToFloor = (100 - action.floor() + action.step() - 1) / action.step();
    long steps = Math.min(intervals + 1, stepsToFloor);
    int remaining = (int) Math.max(action.floor(), 100 - steps * action.step());
    Instant next = startsAt.plus(interval.multipliedBy(steps));
    return new AlertShift(
        fingerprint, alertName, service, from, action, true, remaining, next, cycles);
  }

  /** Fires again, {@code cycles} times soon after a resolution: the next step is due at once. */
  AlertShift refire(int cycles) {
    return new AlertShift(
        fingerprint, alertName, service, from, action, true, remainingPercent, null, cycles);
  }

  /** Resolves: the first step back is due after the restore interval times the hold factor. */
  AlertShift resolve(Instant now) {
    return new AlertShift(
        fingerprint,
        alertName,
        service,
        from,
        action,
        false,
        remainingPercent,
        now.plus(restoreHold()),
        cycles);
  }

  /**
   * Resolved, while the health pipeline is silent: the alert may have resolved only because its
   * telemetry stopped (a Kafka outage pauses the collectors, and Istio's counters with them), so
   * the wait before the next step back starts again at {@code now}. A firing shift is unchanged.
   */
  AlertShift holdRestore(Instant now) {
    Instant until = now.plus(restoreHold());
    if (firing || remainingPercent == 100 || (nextStepAt != null && !nextStepAt.isBefore(until))) {
      return this;
    }
    return new AlertShift(
        fingerprint, alertName, service, from, action, false, remainingPercent, until, cycles);
  }

  /** The wait between the resolution and the first step back. */
  Duration restoreHold() {
    return action.restoreInterval().multipliedBy(holdFactor(cycles));
  }

  static int holdFactor(int cycles) {
    return cycles >= 4 ? MAX_HOLD_FACTOR : Math.min(MAX_HOLD_FACTOR, 1 << cycles);
  }

  /** One step toward the floor (firing) or toward 100 % (resolved), if it is due. */
  AlertShift advance(Instant now) {
    int target = firing ? action.floor() : 100;
    if (remainingPercent == target) {
      return this;
    }
    if (nextStepAt != null && now.isBefore(nextStepAt)) {
      return this;
    }
    int next =
        firing
            ? Math.max(target, remainingPercent - action.step())
            : Math.min(target, remainingPercent + action.restoreStep());
    var interval = firing ? action.stepInterval() : action.restoreInterval();
    return new AlertShift(
        fingerprint, alertName, service, from, action, firing, next, now.plus(interval), cycles);
  }

  boolean done() {
    return !firing && remainingPercent == 100;
  }

  RouteShift toRouteShift() {
    return new RouteShift(
        fingerprint, service, from, action.shiftTo(), remainingPercent, reason(), action.route());
  }

  private String reason() {
    if (firing) {
      return "alert " + alertName + " firing";
    }
    if (cycles == 0) {
      return "alert " + alertName + " resolved";
    }
    return "alert "
        + alertName
        + " resolved, restore held "
        + format(restoreHold())
        + " after "
        + cycles
        + (cycles == 1 ? " cycle" : " cycles");
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
