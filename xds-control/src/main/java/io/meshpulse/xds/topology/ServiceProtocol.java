package io.meshpulse.xds.topology;

/** How a service is called: plain HTTP or gRPC. */
public enum ServiceProtocol {
  HTTP,
  GRPC
}
