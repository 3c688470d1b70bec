package io.meshpulse.sim.scenario;

/**
 * One endpoint (pod) of a service subset, with its own latency distribution and base error rate
 * (inherited from the service unless the scenario overrides them).
 */
public record EndpointSpec(
    String address, int port, String zone, LatencySpec latency, double errorRate) {

  /** {@code address:port}, the endpoint's identity everywhere in the simulator. */
  public String hostPort() {
    return address + ":" + port;
  }
}
