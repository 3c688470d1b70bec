package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.kafka.TopicReplay;
import io.meshpulse.xds.override.OverrideLogReader;
import io.meshpulse.xds.policy.EndpointOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xds-control against a broker that takes only authenticated clients (SASL_PLAINTEXT, PLAIN):
 * {@code meshpulse.xds.kafka.properties.*} reach every client it makes, Kafka Streams (its
 * readiness needs the health topics read), the admin client and the override producer.
 */
class KafkaSaslIT {
  private static final String JAAS =
      "org.apache.kafka.common.security.plain.PlainLoginModule required"
          + " username=\"meshpulse\" password=\"s3cret\";";
  private static final Map<String, String> CLIENT =
      Map.of(
          "security.protocol", "SASL_PLAINTEXT",
          "sasl.mechanism", "PLAIN",
          "sasl.jaas.config", JAAS);

  @TempDir static Path dir;

  private static EmbeddedKafka kafka;
  private static XdsControlHarness app;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.builder().port(0).saslPlainUser("meshpulse", "s3cret").build().start();
    kafka.createTopics(MeshTopics.all(1));
    Path topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
    String[] properties =
        new String[] {
          "meshpulse.xds.kafka.bootstrap-servers=" + kafka.saslBootstrapServers(),
          "meshpulse.xds.kafka.properties.security.protocol=SASL_PLAINTEXT",
          "meshpulse.xds.kafka.properties.sasl.mechanism=PLAIN",
          "meshpulse.xds.kafka.properties.sasl.jaas.config=" + JAAS
        };
    app = new XdsControlHarness(kafka, topology, dir.resolve("state"), "sasl-it", properties);
    app.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(app, kafka);
  }

  @Test
  void aClientWithoutTheProperties_cannotReadTheListener() {
    TopicReplay plain =
        new TopicReplay(
            KafkaClientConfig.of(kafka.saslBootstrapServers()), Topics.ROLLOUTS, "sasl-it-plain");

    assertThatThrownBy(() -> plain.read(null, Duration.ofSeconds(3), r -> {}))
        .as("a plaintext client of the SASL listener")
        .isInstanceOfAny(
            java.util.concurrent.TimeoutException.class,
            org.apache.kafka.common.errors.TimeoutException.class);
  }

  @Test
  void withTheProperties_xdsControlIsReady_andStoresAnOverride() throws Exception {
    assertThat(app.runtime().loop().view().ready())
        .as("ready: the health topics were read")
        .isTrue();

    assertThat(
            app.send(
                    "POST",
                    "/api/v1/overrides",
                    "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:9101\",\"eject\":true}")
                .statusCode())
        .as("override accepted")
        .isBetween(200, 299);

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<EndpointOverride> stored = List.of();
    while (stored.isEmpty() && System.nanoTime() < deadline) {
      stored =
          new OverrideLogReader(
                  new KafkaClientConfig(kafka.saslBootstrapServers(), CLIENT),
                  Topics.ROUTING_OVERRIDES)
              .read(Duration.ofSeconds(10))
              .values();
      Thread.sleep(200);
    }
    assertThat(stored)
        .as("overrides on the topic, read back over SASL")
        .singleElement()
        .satisfies(o -> assertThat(o.ejects()).as("an ejection").isTrue())
        .satisfies(o -> assertThat(o.endpoint().toString()).contains("127.0.0.1:9101"));
  }
}
