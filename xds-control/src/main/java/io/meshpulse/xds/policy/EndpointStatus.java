package io.meshpulse.xds.policy;

/** The policy's state of an endpoint. Worse states are ordered later. */
public enum EndpointStatus {
  /** In rotation with the neutral weight (or ramping towards it). */
  ACTIVE,
  /** In rotation with a reduced weight. */
  DEGRADED,
  /** Out of rotation: served with health_status UNHEALTHY. */
  EJECTED;

  /** The Envoy core.v3.HealthStatus name the endpoint is served with. */
  public String envoyHealthStatus() {
    return this == EJECTED ? "UNHEALTHY" : "HEALTHY";
  }
}
