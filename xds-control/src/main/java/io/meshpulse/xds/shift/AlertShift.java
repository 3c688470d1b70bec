package io.meshpulse.xds.shift;

import io.meshpulse.xds.policy.RouteShift;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The shift one alert (by fingerprint) holds on one route: pure state, advanced by {@link
 * #advance}. While firing it steps down to the action's floor; once resolved it steps back up to
 * 100 %, after which it is done.
 */
record AlertShift(
    String fingerprint,
    String alertName,
    String service,
    String from,
    ShiftAction action,
    boolean firing,
    int remainingPercent,
    @Nullable Instant lastStepAt) {

  static AlertShift firing(
      String fingerprint, String alertName, String service, String from, ShiftAction action) {
    return new AlertShift(fingerprint, alertName, service, from, action, true, 100, null);
  }

  AlertShift withFiring(boolean value, Instant now) {
    if (value == firing) {
      return this;
    }
    // A resolved alert waits one restore interval before its first step back, a re-fired one
    // steps down at once.
    return new AlertShift(
        fingerprint, alertName, service, from, action, value, remainingPercent, value ? null : now);
  }

  /** One step toward the floor (firing) or toward 100 % (resolved), if its interval has passed. */
  AlertShift advance(Instant now) {
    int target = firing ? action.floor() : 100;
    if (remainingPercent == target) {
      return this;
    }
    var interval = firing ? action.stepInterval() : action.restoreInterval();
    if (lastStepAt != null && now.isBefore(lastStepAt.plus(interval))) {
      return this;
    }
    int next =
        firing
            ? Math.max(target, remainingPercent - action.step())
            : Math.min(target, remainingPercent + action.restoreStep());
    return new AlertShift(fingerprint, alertName, service, from, action, firing, next, now);
  }

  boolean done() {
    return !firing && remainingPercent == 100;
  }

  RouteShift toRouteShift() {
    return new RouteShift(
        fingerprint,
        service,
        from,
        action.shiftTo(),
        remainingPercent,
        "alert " + alertName + (firing ? " firing" : " resolved"),
        action.route());
  }
}
