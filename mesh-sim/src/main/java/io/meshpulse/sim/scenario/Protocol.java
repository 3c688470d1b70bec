package io.meshpulse.sim.scenario;

/** The application protocol of a simulated service. */
public enum Protocol {
  HTTP,
  GRPC
}
