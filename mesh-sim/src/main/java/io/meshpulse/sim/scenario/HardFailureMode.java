package io.meshpulse.sim.scenario;

/** How a hard-failed endpoint fails. */
public enum HardFailureMode {
  /**
   * The connection is refused: HTTP 503 with Envoy response flag UF (upstream connection failure).
   */
  CONNECT_FAILURE,
  /** The endpoint answers every request with HTTP 503 (gRPC: status UNAVAILABLE). */
  HTTP_503
}
