package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.DecisionTrigger;

/**
 * A shift of a service's route weight from one subset to another, for example by an alert: subset
 * {@code from} keeps {@code remainingPercent} % of the weight it would have, the rest goes to
 * {@code to}. At 100 the shift changes nothing.
 *
 * @param ref what caused the shift (an alert's fingerprint), recorded as the decision's trigger_ref
 * @param route the route it applies to, {@code <virtual service>/<route>} of the routing
 *     configuration; empty for the service's own route and every configured route that sends
 *     traffic to {@code from}
 */
public record RouteShift(
    String ref,
    String service,
    String from,
    String to,
    int remainingPercent,
    String reason,
    String route) {
  /** A shift of every route of the service. */
  public RouteShift(
      String ref, String service, String from, String to, int remainingPercent, String reason) {
    this(ref, service, from, to, remainingPercent, reason, "");
  }

  /** Whether the shift applies to the configured route with this key. */
  public boolean appliesTo(String routeKey) {
    return route.isEmpty() || route.equals(routeKey);
  }

  public RouteShift {
    if (remainingPercent < 0 || remainingPercent > 100) {
      throw new IllegalArgumentException(
          "remainingPercent must be in [0, 100]: " + remainingPercent);
    }
    if (from.equals(to)) {
      throw new IllegalArgumentException("a shift needs two different subsets: " + from);
    }
  }

  /** In a decision's reasons: {@code shift canary -> stable: canary keeps 40 % (reason)}. */
  public String describe() {
    return "shift "
        + from
        + " -> "
        + to
        + ": "
        + from
        + " keeps "
        + remainingPercent
        + " % ("
        + reason
        + ")";
  }

  /** The ref prefix of the shifts progressive rollouts hold: {@code rollout:<service>/<subset>}. */
  public static final String ROLLOUT_REF_PREFIX = "rollout:";

  /** Whether a progressive rollout holds this shift (its decisions have trigger ROLLOUT). */
  public boolean fromRollout() {
    return ref.startsWith(ROLLOUT_REF_PREFIX);
  }

  /** The ref prefix of the shifts subset health holds: {@code health:<service>/<subset>}. */
  public static final String HEALTH_REF_PREFIX = "health:";

  /** The trigger of the decisions this shift makes: ROLLOUT, HEALTH (a failing subset) or ALERT. */
  public DecisionTrigger trigger() {
    if (fromRollout()) {
      return DecisionTrigger.DECISION_TRIGGER_ROLLOUT;
    }
    return ref.startsWith(HEALTH_REF_PREFIX)
        ? DecisionTrigger.DECISION_TRIGGER_HEALTH
        : DecisionTrigger.DECISION_TRIGGER_ALERT;
  }
}
