package io.meshpulse.sim.model;

/**
 * What happened to one simulated request.
 *
 * @param httpStatus the HTTP status Envoy logs (gRPC services: 200, the error is in grpcStatus)
 * @param grpcStatus the grpc-status trailer for gRPC services, -1 for HTTP services
 * @param details Envoy's response_code_details
 */
public record Outcome(
    double latencyMs, int httpStatus, int grpcStatus, ResponseFlag flag, String details) {

  /** An error in the sense of the health score: 5xx, a non-OK gRPC status or a failure flag. */
  public boolean isError() {
    return httpStatus >= 500 || grpcStatus > 0 || flag != ResponseFlag.NONE;
  }
}
