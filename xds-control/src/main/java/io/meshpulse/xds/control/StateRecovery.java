package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;

/** Where a starting loop's policy memory comes from; asked once, before the first evaluation. */
@FunctionalInterface
public interface StateRecovery {
  StateRecovery NONE = (topology, now) -> PolicyState.INITIAL;

  /**
   * @param topology the topology the first evaluation routes
   * @return the state to evaluate from; {@link PolicyState#INITIAL} when nothing is known
   */
  PolicyState recover(Topology topology, Instant now);
}
