package io.meshpulse.sim.scenario;

import java.util.List;

/**
 * A group of identical sidecar proxies (the replicas of one client workload): each sends {@code
 * rps} requests per second, split evenly over the services it {@code calls}.
 */
public record ProxySpec(
    String workload,
    String app,
    String version,
    String namespace,
    int count,
    double rps,
    List<String> calls) {
  public ProxySpec {
    calls = List.copyOf(calls);
  }
}
