package io.meshpulse.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class CollectorPropertiesTest {
  @Test
  void noProperties_bindToTheDocumentedDefaults() {
    CollectorProperties properties = bind(Map.of());

    assertThat(properties.grpc().port()).as("grpc port").isEqualTo(19000);
    assertThat(properties.grpc().maxInboundMessageSize())
        .as("max message")
        .isEqualTo(DataSize.ofMegabytes(4));
    assertThat(properties.grpc().tls().enabled()).as("tls").isFalse();
    assertThat(properties.grpc().tls().reloadInterval())
        .as("tls reload interval")
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(properties.grpc().maxConnectionAge()).as("max connection age: off").isZero();
    assertThat(properties.grpc().maxConnectionAgeGrace())
        .as("max connection age grace")
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(properties.kafka().bootstrapServers()).as("bootstrap").isEqualTo("127.0.0.1:19092");
    assertThat(properties.kafka().accessRecordsTopic())
        .as("topic")
        .isEqualTo("mesh.access-records.v1");
    assertThat(properties.kafka().compressionType()).as("compression").isEqualTo("lz4");
    assertThat(properties.kafka().deliveryTimeout())
        .as("delivery timeout")
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(properties.buffer().maxRecords()).as("buffer records").isEqualTo(100_000);
    assertThat(properties.mapping().keepPath()).as("keep path").isFalse();
    assertThat(properties.cardinality().maxSeriesPerMetric()).as("series cap").isEqualTo(10_000);
  }

  @Test
  void invalidValues_failNamingTheProperty() {
    assertThat(failure(Map.of("meshpulse.collector.grpc.port", "70000")))
        .as("port")
        .contains("meshpulse.collector.grpc.port");
    assertThat(failure(Map.of("meshpulse.collector.buffer.hard-max-records", "10")))
        .as("hard limit")
        .contains("meshpulse.collector.buffer.hard-max-records");
    assertThat(failure(Map.of("meshpulse.collector.grpc.tls.enabled", "true")))
        .as("tls without certificate")
        .contains("meshpulse.collector.grpc.tls.cert-chain");
    assertThat(failure(Map.of("meshpulse.collector.grpc.tls.reload-interval", "500ms")))
        .as("tls reload interval under a second")
        .contains("meshpulse.collector.grpc.tls.reload-interval");
    assertThat(failure(Map.of("meshpulse.collector.grpc.max-connection-age", "500ms")))
        .as("max connection age under a second")
        .contains("meshpulse.collector.grpc.max-connection-age");
    assertThat(failure(Map.of("meshpulse.collector.grpc.max-connection-age-grace", "-1s")))
        .as("negative grace")
        .contains("meshpulse.collector.grpc.max-connection-age-grace");
    assertThat(failure(Map.of("meshpulse.collector.mapping.max-tcp-connections", "0")))
        .as("no TCP connections remembered")
        .contains("meshpulse.collector.mapping.max-tcp-connections");
    assertThat(failure(Map.of("meshpulse.collector.kafka.compression-type", "brotli")))
        .as("compression")
        .contains("meshpulse.collector.kafka.compression-type");
    assertThat(failure(Map.of("meshpulse.collector.kafka.delivery-timeout", "1s")))
        .as("delivery timeout")
        .contains("meshpulse.collector.kafka.delivery-timeout");
  }

  @Test
  void producerDurations_outOfRange_failNamingTheProperty() {
    Map<String, String> cases =
        Map.of(
            "meshpulse.collector.kafka.shutdown-timeout", "-1s",
            "meshpulse.collector.kafka.max-block", "0ms",
            "meshpulse.collector.kafka.linger", "-5ms",
            "meshpulse.collector.kafka.request-timeout", "-1s");
    cases.forEach(
        (property, value) ->
            assertThat(failure(Map.of(property, value)))
                .as("%s=%s", property, value)
                .contains(property));
    assertThat(failure(Map.of("meshpulse.collector.kafka.max-block", "-1s")))
        .as("negative max-block")
        .contains("meshpulse.collector.kafka.max-block");
  }

  @Test
  void millisecondsPastAnInt_failRatherThanWrapping() {
    assertThat(failure(Map.of("meshpulse.collector.kafka.delivery-timeout", "50d")))
        .as("delivery timeout of 50 days")
        .contains("meshpulse.collector.kafka.delivery-timeout");
    assertThat(
            failure(
                Map.of(
                    "meshpulse.collector.kafka.request-timeout", "30d",
                    "meshpulse.collector.kafka.delivery-timeout", "60d")))
        .as("request timeout of 30 days")
        .contains("meshpulse.collector.kafka.request-timeout");
    assertThat(
            failure(
                Map.of(
                    "meshpulse.collector.kafka.linger", "25d",
                    "meshpulse.collector.kafka.delivery-timeout", "26d")))
        .as("linger of 25 days")
        .contains("meshpulse.collector.kafka.linger");
    assertThat(failure(Map.of("meshpulse.collector.kafka.max-block", "25d")))
        .as("max block of 25 days")
        .contains("meshpulse.collector.kafka.max-block");
    assertThat(failure(Map.of("meshpulse.collector.kafka.batch-size", "3GB")))
        .as("batch size of 3GB")
        .contains("meshpulse.collector.kafka.batch-size");
  }

  @Test
  void largestAcceptedMilliseconds_reachTheProducerUnwrapped() {
    CollectorProperties properties =
        bind(Map.of("meshpulse.collector.kafka.delivery-timeout", Integer.MAX_VALUE + "ms"));

    assertThat(CollectorConfiguration.producerConfig(properties.kafka()))
        .as("producer config")
        .containsEntry("delivery.timeout.ms", Integer.MAX_VALUE);
  }

  @Test
  void kafkaProperties_reachTheProducer_butNotOverItsOwnSettings() {
    CollectorProperties properties =
        bind(
            Map.of(
                "meshpulse.collector.kafka.properties.security.protocol", "SASL_SSL",
                "meshpulse.collector.kafka.properties.linger.ms", "50",
                "meshpulse.collector.kafka.properties.acks", "1",
                "meshpulse.collector.kafka.properties.enable.idempotence", "true",
                "meshpulse.collector.kafka.properties.key.serializer",
                    "org.apache.kafka.common.serialization.StringSerializer"));

    assertThat(CollectorConfiguration.producerConfig(properties.kafka()))
        .as("producer config")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("linger.ms", 5)
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .containsEntry(
            "key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    assertThat(CollectorConfiguration.replacedProducerProperties(properties.kafka()))
        .as("warnings at start; an equal value and a property of no own setting replace nothing")
        .containsExactly(
            "meshpulse.collector.kafka.properties.acks=1 does not apply to the collector's"
                + " producer: it sets acks=all itself",
            "meshpulse.collector.kafka.properties.key.serializer="
                + "org.apache.kafka.common.serialization.StringSerializer does not apply to the"
                + " collector's producer: it sets"
                + " key.serializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                + " itself",
            "meshpulse.collector.kafka.properties.linger.ms=50 does not apply to the collector's"
                + " producer: set meshpulse.collector.kafka.linger instead");
  }

  @Test
  void bootstrapServersAmongTheKafkaProperties_failsNamingTheProperty() {
    assertThat(
            failure(Map.of("meshpulse.collector.kafka.properties.bootstrap.servers", "kafka:9092")))
        .contains(
            "meshpulse.collector.kafka.properties.bootstrap.servers is refused: set"
                + " meshpulse.collector.kafka.bootstrap-servers");
  }

  private static CollectorProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("meshpulse.collector", CollectorProperties.class);
  }

  private static String failure(Map<String, String> values) {
    try {
      bind(values);
    } catch (BindException e) {
      StringBuilder messages = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        messages.append(t.getMessage()).append('\n');
      }
      return messages.toString();
    }
    throw new AssertionError("no failure for " + values);
  }
}
