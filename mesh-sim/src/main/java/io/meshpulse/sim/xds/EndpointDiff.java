package io.meshpulse.sim.xds;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A change of one endpoint's weight or health status between two accepted assignments of the same
 * cluster. An endpoint that disappears has status {@code REMOVED} and weight 0; one that appears
 * has previous status {@code ABSENT}.
 */
public record EndpointDiff(
    String cluster,
    String hostPort,
    int oldWeight,
    int newWeight,
    String oldStatus,
    String newStatus) {

  public static final String REMOVED = "REMOVED";
  public static final String ABSENT = "ABSENT";

  /** Whether an endpoint of {@code status} gets traffic (is in the load balancer's set). */
  public static boolean serving(String status) {
    return status.equals("HEALTHY") || status.equals("UNKNOWN") || status.equals("DEGRADED");
  }

  /** Whether the change takes traffic away: a lower weight, or the host stops being served. */
  public boolean reducesTraffic() {
    return (serving(oldStatus) && !serving(newStatus))
        || (serving(oldStatus) && serving(newStatus) && newWeight < oldWeight);
  }

  /**
   * The endpoint changes between two states, for every cluster that had an assignment in both (the
   * first assignment of a cluster is not a change).
   */
  public static List<EndpointDiff> between(XdsState before, XdsState after) {
    List<EndpointDiff> out = new ArrayList<>();
    for (String cluster : after.clusters().keySet()) {
      var prev = before.assignmentFor(cluster);
      var next = after.assignmentFor(cluster);
      if (prev.isEmpty() || next.isEmpty() || prev.get().equals(next.get())) {
        continue;
      }
      Map<String, EndpointView> p = prev.get().byHostPort();
      Map<String, EndpointView> n = next.get().byHostPort();
      for (EndpointView e : n.values()) {
        EndpointView old = p.get(e.hostPort());
        if (old == null) {
          out.add(
              new EndpointDiff(cluster, e.hostPort(), 0, e.weight(), ABSENT, e.status().name()));
        } else if (old.weight() != e.weight() || old.status() != e.status()) {
          out.add(
              new EndpointDiff(
                  cluster,
                  e.hostPort(),
                  old.weight(),
                  e.weight(),
                  old.status().name(),
                  e.status().name()));
        }
      }
      for (EndpointView old : p.values()) {
        if (!n.containsKey(old.hostPort())) {
          out.add(
              new EndpointDiff(
                  cluster, old.hostPort(), old.weight(), 0, old.status().name(), REMOVED));
        }
      }
    }
    return out;
  }
}
