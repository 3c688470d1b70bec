package io.meshpulse.model;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ProxyStats;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ServiceHealth;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** {@link Serde}s of every record, for Kafka Streams and tests. */
public final class MeshSerdes {
  private MeshSerdes() {}

  public static Serde<AccessRecord> accessRecord() {
    return Serdes.serdeFrom(new ProtoSerializer<>(), new AccessRecordDeserializer());
  }

  public static Serde<ProxyStats> proxyStats() {
    return Serdes.serdeFrom(new ProtoSerializer<>(), new ProxyStatsDeserializer());
  }

  public static Serde<EndpointHealth> endpointHealth() {
    return Serdes.serdeFrom(new ProtoSerializer<>(), new EndpointHealthDeserializer());
  }

  public static Serde<ServiceHealth> serviceHealth() {
    return Serdes.serdeFrom(new ProtoSerializer<>(), new ServiceHealthDeserializer());
  }

  public static Serde<RoutingDecision> routingDecision() {
    return Serdes.serdeFrom(new ProtoSerializer<>(), new RoutingDecisionDeserializer());
  }
}
