package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.PolicyMode;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.List;

/** The route shifts in force; advanced once per evaluation, on the loop thread. */
@FunctionalInterface
public interface ShiftSource {
  ShiftSource NONE = (now, topology, health, mode) -> List.of();

  /**
   * @param topology the topology this evaluation routes
   * @param health the health of its endpoints this evaluation reads
   * @param mode the mode this evaluation runs in (HOLD while the health pipeline is silent)
   */
  List<RouteShift> advance(Instant now, Topology topology, HealthTable health, PolicyMode mode);
}
