package io.meshpulse.xds.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where xds-control's Kafka clients connect, and the client properties every one of them gets
 * ({@code meshpulse.xds.kafka.properties.*}: TLS, SASL, timeouts). A client's own settings (its
 * serializers, acknowledgements, idempotence, client id) are put on top of these, so that a
 * property cannot break what the client relies on; one that replaces a property set here is logged
 * as a warning when the client is made ({@link #client}).
 */
public record KafkaClientConfig(String bootstrapServers, Map<String, String> properties) {
  private static final Logger logger = LoggerFactory.getLogger(KafkaClientConfig.class);

  /** The prefix of these properties' names. */
  public static final String PREFIX = "meshpulse.xds.kafka.properties.";

  public KafkaClientConfig {
    properties = Map.copyOf(properties);
    if (properties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          PREFIX + "bootstrap.servers: set meshpulse.xds.kafka.bootstrap-servers instead");
    }
  }

  /** Plain clients of {@code bootstrapServers}, with no other property. */
  public static KafkaClientConfig of(String bootstrapServers) {
    return new KafkaClientConfig(bootstrapServers, Map.of());
  }

  /**
   * The properties of the client named {@code client}: {@link #base()}, then its {@code own}
   * settings, which win. Each property set here that one of them replaces is logged as a warning.
   */
  public Properties client(String client, Map<String, ?> own) {
    replaced(client, own).forEach(logger::warn);
    Properties p = base();
    p.putAll(own);
    return p;
  }

  /**
   * What a client's {@code own} settings replace of the properties set here, in words: a setting
   * replaces the property of its name, and a Kafka Streams {@code consumer.}, {@code producer.} or
   * {@code admin.} setting the unprefixed property too. An equal value replaces nothing.
   */
  public List<String> replaced(String client, Map<String, ?> own) {
    List<String> replaced = new ArrayList<>();
    for (Map.Entry<String, ?> setting : new TreeMap<>(own).entrySet()) {
      String key = setting.getKey();
      String value = String.valueOf(setting.getValue());
      for (String name : Stream.of(key, unprefixed(key)).distinct().toList()) {
        String set = properties.get(name);
        if (set != null && !set.equals(value)) {
          replaced.add(
              PREFIX
                  + name
                  + "="
                  + set
                  + " does not apply to the "
                  + client
                  + ": it sets "
                  + key
                  + "="
                  + value
                  + " itself");
        }
      }
    }
    return replaced;
  }

  private static String unprefixed(String key) {
    for (String prefix : List.of("consumer.", "producer.", "admin.")) {
      if (key.startsWith(prefix)) {
        return key.substring(prefix.length());
      }
    }
    return key;
  }

  /** A new client's properties before its own: the extra properties and the bootstrap servers. */
  public Properties base() {
    Properties p = new Properties();
    p.putAll(properties);
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }
}
