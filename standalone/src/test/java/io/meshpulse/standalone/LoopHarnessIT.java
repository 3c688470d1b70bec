package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.EndpointHealthDeserializer;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Runs one after the other on one platform, each mesh under its own service names, with a health
 * job setting passed through (windows sliding by 1 s instead of the default 500 ms).
 */
class LoopHarnessIT {

  @Test
  void aFaultsEjection_doesNotCarryOverIntoTheNextRunsServices() throws Exception {
    Path dataDir = Files.createTempDirectory("meshpulse-loop-it-");
    Scenario first = ScenarioLoader.builtIn("hard-failure").withServiceSuffix("-a");
    Scenario second = ScenarioLoader.builtIn("null").withServiceSuffix("-b");
    try (LoopHarness harness =
        LoopHarness.start(dataDir, first, Map.of("meshpulse.health.window.slide", "1s"))) {
      LoopHarness.Run fault =
          harness.run(
              first,
              SimulationOptions.builder(first)
                  .duration(Duration.ofSeconds(20))
                  .faultAt(Duration.ofSeconds(10)));
      assertThat(fault.simulation().faultService()).as("fault service").isEqualTo("reviews-a");
      assertThat(fault.simulation().allProxiesReactionSeconds())
          .as("every proxy routed around reviews-a's refusing endpoint (s after onset)")
          .isNotNull();
      assertThat(fault.decisionLog()).as("decisions of the first run").isNotEmpty();

      LoopHarness.Run quiet =
          harness.run(second, SimulationOptions.builder(second).duration(Duration.ofSeconds(12)));
      assertThat(quiet.simulation().requests()).as("requests of the second run").isPositive();
      assertThat(quiet.simulation().falseActions())
          .as("changes to reviews-b, whose endpoints have the same addresses as reviews-a's")
          .isZero();
      assertThat(quiet.recordsLost()).as("records lost").isZero();

      Set<Long> windowEnds = windowEndsMillisOfASecond(harness.platform().kafkaBootstrap());
      assertThat(windowEnds)
          .as("where in a second the health job's windows end, sliding by the 1 s given")
          .containsExactly(0L);
    } finally {
      Demo.deleteQuietly(dataDir);
    }
  }

  /** {@code end mod 1000} of the windows of the endpoint-health records written so far. */
  private static Set<Long> windowEndsMillisOfASecond(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "loop-harness-it");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Set<Long> ends = new TreeSet<>();
    EndpointHealthDeserializer reader = new EndpointHealthDeserializer();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.ENDPOINT_HEALTH));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int read = 0;
      while (read < 1_000 && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          EndpointHealth health = reader.deserialize(record.topic(), record.value());
          if (health != null) {
            ends.add(health.getWindow().getEndUnixMillis() % 1000);
            read++;
          }
        }
      }
    }
    return ends;
  }
}
