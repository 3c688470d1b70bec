package io.meshpulse.sim.model;

/** The Envoy response flags the simulator produces. */
public enum ResponseFlag {
  NONE,
  /** UF: upstream connection failure. */
  UPSTREAM_CONNECTION_FAILURE,
  /** UO: upstream overflow (circuit breaking). */
  UPSTREAM_OVERFLOW,
  /** UH: no healthy upstream host in the cluster. */
  NO_HEALTHY_UPSTREAM
}
