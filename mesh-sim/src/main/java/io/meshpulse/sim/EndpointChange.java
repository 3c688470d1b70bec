package io.meshpulse.sim;

import io.meshpulse.sim.xds.EndpointDiff;

/**
 * One proxy applying a changed weight or health status of one endpoint (relative to the previous
 * assignment of the same cluster that proxy had accepted; the first assignment is not a change).
 *
 * @param version the EDS version_info that carried the change
 * @param reducesTraffic a lower weight, or the endpoint stopped being served (UNHEALTHY, DRAINING,
 *     TIMEOUT, REMOVED)
 */
public record EndpointChange(
    String proxy,
    long epochMs,
    String service,
    String cluster,
    String endpoint,
    int oldWeight,
    int newWeight,
    String oldStatus,
    String newStatus,
    String version,
    boolean reducesTraffic) {

  /**
   * Whether the endpoint stopped getting traffic: ejected (by the control plane or the proxy's
   * outlier detection), drained or removed; a lower weight alone is not.
   */
  public boolean stopsTraffic() {
    return EndpointDiff.serving(oldStatus) && !EndpointDiff.serving(newStatus);
  }
}
