package io.meshpulse.xds.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaClientConfigTest {
  private final KafkaClientConfig kafka =
      new KafkaClientConfig(
          "broker:9093",
          Map.of(
              "security.protocol", "SSL",
              "acks", "1",
              "linger.ms", "5",
              "fetch.max.wait.ms", "500"));

  @Test
  void aClientsOwnSettings_winAndWhatTheyReplaceIsNamed() {
    Map<String, Object> own = Map.of("acks", "all", "linger.ms", 5, "client.id", "c");

    Properties properties = kafka.client("decisions producer", own);

    assertThat(properties)
        .as("properties")
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("acks", "all")
        .containsEntry("client.id", "c");
    assertThat(kafka.replaced("decisions producer", own))
        .as("replaced: acks; linger.ms has the same value")
        .containsExactly(
            "meshpulse.xds.kafka.properties.acks=1 does not apply to the decisions producer:"
                + " it sets acks=all itself");
  }

  @Test
  void aStreamsConsumerSetting_replacesTheUnprefixedProperty() {
    assertThat(kafka.replaced("health table", Map.of("consumer.fetch.max.wait.ms", 10)))
        .containsExactly(
            "meshpulse.xds.kafka.properties.fetch.max.wait.ms=500 does not apply to the health"
                + " table: it sets consumer.fetch.max.wait.ms=10 itself");
  }

  @Test
  void bootstrapServersAmongTheProperties_isRefusedNamingTheProperty() {
    assertThatThrownBy(() -> new KafkaClientConfig("b:9092", Map.of("bootstrap.servers", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meshpulse.xds.kafka.properties.bootstrap.servers")
        .hasMessageContaining("meshpulse.xds.kafka.bootstrap-servers");
  }
}
