package io.meshpulse.sim.outlier;

/** Envoy's outlier ejection types (envoy.data.cluster.v3.OutlierEjectionType) we implement. */
public enum EjectionCause {
  CONSECUTIVE_5XX,
  CONSECUTIVE_GATEWAY_FAILURE,
  SUCCESS_RATE,
  FAILURE_PERCENTAGE
}
