package io.meshpulse.sim;

import java.util.Map;

/**
 * One proxy applying changed route weights for a service (cluster name → weight), relative to the
 * previous route it had for that service; the first route is not a change.
 *
 * @param version the version_info (RDS or LDS) that carried the change
 */
public record RouteChange(
    String proxy,
    long epochMs,
    String service,
    Map<String, Integer> before,
    Map<String, Integer> after,
    String version) {
  public RouteChange {
    before = Map.copyOf(before);
    after = Map.copyOf(after);
  }
}
