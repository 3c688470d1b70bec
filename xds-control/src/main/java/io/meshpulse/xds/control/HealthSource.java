package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.HealthTable;

/** The health table as the loop reads it; implemented over Kafka Streams, faked in tests. */
public interface HealthSource {
  /** Restored and caught up: until then the loop publishes nothing. */
  boolean ready();

  HealthTable table();
}
