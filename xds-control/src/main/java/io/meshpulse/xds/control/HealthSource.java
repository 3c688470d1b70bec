package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.topology.Topology;

/** The health table as the loop reads it; implemented over Kafka Streams, faked in tests. */
public interface HealthSource {
  /** Restored and caught up: until then the loop publishes nothing. */
  boolean ready();

  /** The latest health of the topology's endpoints (others may be left out). */
  HealthTable table(Topology topology);
}
