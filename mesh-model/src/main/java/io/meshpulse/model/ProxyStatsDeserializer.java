package io.meshpulse.model;

import io.meshpulse.model.v1.ProxyStats;

/** Reads {@link ProxyStats}; a record without a node id is rejected. */
public final class ProxyStatsDeserializer extends ProtoDeserializer<ProxyStats> {
  public ProxyStatsDeserializer() {
    super(
        "ProxyStats",
        ProxyStats.parser(),
        r -> r.getNodeId().isEmpty() ? "its node_id is empty" : null);
  }
}
