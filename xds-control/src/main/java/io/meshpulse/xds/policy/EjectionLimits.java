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
 */
record EjectionLimits(int automatic, int total) {

  static EjectionLimits of(int endpoints, PolicyConfig config) {
    int byPercent = endpoints * config.maxEjectionPercent() / 100;
    if (endpoints >= 3 && config.maxEjectionPercent() > 0) {
      byPercent = Math.max(byPercent, 1);
    }
    int mustStayHealthy = (endpoints * config.panicThresholdPercent() + 99) / 100;
    int byPanic = Math.max(0, endpoints - mustStayHealthy);
    return new EjectionLimits(Math.min(byPercent, byPanic), byPanic);
  }
}
