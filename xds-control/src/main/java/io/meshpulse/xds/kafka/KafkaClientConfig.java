package io.meshpulse.xds.kafka;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where xds-control's Kafka clients connect, and the client properties every one of them gets
 * ({@code meshpulse.xds.kafka.properties.*}: TLS, SASL, timeouts). A client's own settings (its
 * serializers, acknowledgements, idempotence, client id) are put on top of these, so that a
 * property cannot break what the client relies on.
 */
public record KafkaClientConfig(String bootstrapServers, Map<String, String> properties) {
  public KafkaClientConfig {
    properties = Map.copyOf(properties);
    if (properties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "meshpulse.xds.kafka.properties.bootstrap.servers: set"
              + " meshpulse.xds.kafka.bootstrap-servers instead");
    }
  }

  /** Plain clients of {@code bootstrapServers}, with no other property. */
  public static KafkaClientConfig of(String bootstrapServers) {
    return new KafkaClientConfig(bootstrapServers, Map.of());
  }

  /** A new client's properties before its own: the extra properties and the bootstrap servers. */
  public Properties base() {
    Properties p = new Properties();
    p.putAll(properties);
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }
}
