package io.meshpulse.xds.policy;

/**
 * How many endpoints of a service may be out of rotation at once.
 *
 * <p>Automatic ejections: {@code floor(n * maxEjectionPercent / 100)}, but at least 1 when the
 * service has 3 or more endpoints. Every ejection, automatic or manual: Envoy enters panic mode
 * (and spreads traffic over all hosts, healthy or not) when {@code 100 * healthy / n <
 * panicThreshold}, so at most {@code n - ceil(n * panicThreshold / 100)} endpoints may be ejected.
 * The overprovisioning factor (1.4) only scales the health of a priority level for spill-over
 * between priorities; every endpoint here is in priority 0, so the raw host ratio decides panic.
 *
 * <p>Every subset is a cluster of its own with the same threshold, so the same bound applies within
 * each subset ({@link #beforePanic}); see RoutingPolicy for the one exception, a subset taken out
 * whole.
 */
record EjectionLimits(int automatic, int total) {

  static EjectionLimits of(int endpoints, PolicyConfig config) {
    int byPercent = endpoints * config.maxEjectionPercent() / 100;
    if (endpoints >= 3 && config.maxEjectionPercent() > 0) {
      byPercent = Math.max(byPercent, 1);
    }
    int byPanic = beforePanic(endpoints, config);
    return new EjectionLimits(Math.min(byPercent, byPanic), byPanic);
  }

  /**
   * How many of a cluster's {@code endpoints} may be UNHEALTHY before Envoy panics. Applies to the
   * whole-service cluster and to every subset's cluster alike, since each has the threshold.
   */
  static int beforePanic(int endpoints, PolicyConfig config) {
    int mustStayHealthy = (endpoints * config.panicThresholdPercent() + 99) / 100;
    return Math.max(0, endpoints - mustStayHealthy);
  }
}
