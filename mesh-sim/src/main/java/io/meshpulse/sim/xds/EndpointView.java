package io.meshpulse.sim.xds;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;

/** One endpoint of a load assignment as a proxy sees it. */
public record EndpointView(String hostPort, int weight, HealthStatus status) {
  /** Whether Envoy counts the host as healthy (UNKNOWN and HEALTHY). */
  public boolean healthy() {
    return status == HealthStatus.HEALTHY || status == HealthStatus.UNKNOWN;
  }

  public boolean degraded() {
    return status == HealthStatus.DEGRADED;
  }
}
