package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka topics: created on a Strimzi cluster as MeshTopics does, and named to every app. */
class KafkaTopicsTest {
  static final Path CI = RenderedChart.CHART.resolve("ci");
  static final String MESH_TOPICS =
      "embedded-kafka/src/main/java/io/meshpulse/kafka/MeshTopics.java";

  @Test
  void strimziCluster_getsAKafkaTopicForEveryTopicValue() {
    RenderedChart chart = RenderedChart.render(CI.resolve("strimzi-values.yaml"));
    Map<String, GenericKubernetesResource> topics = topicsByName(chart);
    assertThat(topics.keySet())
        .as("KafkaTopic topicNames")
        .containsExactlyInAnyOrderElementsOf(topicValues().values());
    for (GenericKubernetesResource topic : topics.values()) {
      assertThat(topic.getMetadata().getLabels().get("strimzi.io/cluster"))
          .as("cluster of %s", topic.getMetadata().getName())
          .isEqualTo("mp-meshpulse-kafka");
    }
  }

  @Test
  void strimziTopics_haveMeshTopicsSettings_healthAndOverrideTopicsCompacted() {
    Map<String, String> compacted = compactedConfigs();
    Map<String, GenericKubernetesResource> topics =
        topicsByName(RenderedChart.render(CI.resolve("strimzi-values.yaml")));
    for (String health :
        new String[] {
          "mesh.endpoint-health.v1",
          "mesh.service-health.v1",
          "mesh.routing-overrides.v1",
          "mesh.rollouts.v1"
        }) {
      assertThat(config(topics.get(health))).as("config of %s", health).isEqualTo(compacted);
    }
    assertThat(config(topics.get("mesh.access-records.v1")))
        .as("access records config")
        .containsEntry("retention.ms", "21600000")
        .doesNotContainKey("cleanup.policy");
    assertThat(config(topics.get("mesh.routing-decisions.v1")))
        .as("decision log config")
        .containsEntry("retention.ms", "604800000");
    assertThat((Integer) topics.get("mesh.access-records.v1").get("spec", "partitions"))
        .as("access records partitions (kafka.strimzi.partitions)")
        .isEqualTo(6);
    assertThat((Integer) topics.get("mesh.dead-letters.v1").get("spec", "partitions"))
        .as("dead letters partitions, as in MeshTopics")
        .isEqualTo(1);
  }

  @Test
  void threeNodes_replicateThreeTimes_andAcceptAckAllWritesWithOneNodeDown() {
    RenderedChart chart = RenderedChart.render(CI.resolve("strimzi-values.yaml"));
    Map<String, Object> config =
        chart.firstCustom("Kafka").orElseThrow().get("spec", "kafka", "config");
    assertThat(config)
        .as("broker config with 3 nodes")
        .containsEntry("default.replication.factor", 3)
        .containsEntry("min.insync.replicas", 2)
        .containsEntry("offsets.topic.replication.factor", 3);
    assertThat(topicsByName(chart).values())
        .as("KafkaTopic replicas")
        .allSatisfy(t -> assertThat((Integer) t.get("spec", "replicas")).isEqualTo(3));
  }

  @Test
  void oneNode_replicatesOnce_soAckAllWritesSucceed(@TempDir Path dir) throws IOException {
    Path values = dir.resolve("one-node-values.yaml");
    Files.writeString(values, "kafka:\n  strimzi:\n    enabled: true\n    replicas: 1\n");
    RenderedChart chart = RenderedChart.renderOverDefaults(values);
    Map<String, Object> config =
        chart.firstCustom("Kafka").orElseThrow().get("spec", "kafka", "config");
    assertThat(config)
        .as("broker config with 1 node")
        .containsEntry("default.replication.factor", 1)
        .containsEntry("min.insync.replicas", 1)
        .containsEntry("transaction.state.log.min.isr", 1);
    assertThat(topicsByName(chart).values())
        .as("KafkaTopic replicas with 1 node")
        .allSatisfy(t -> assertThat((Integer) t.get("spec", "replicas")).isEqualTo(1));
  }

  @Test
  void everyApp_isGivenTheTopicNamesOfTheValues(@TempDir Path dir) throws IOException {
    Path values = dir.resolve("topics-values.yaml");
    Files.writeString(
        values,
        """
        kafka:
          topics:
            accessRecords: prod.access
            proxyStats: prod.stats
            endpointHealth: prod.endpoint-health
            serviceHealth: prod.service-health
            routingDecisions: prod.decisions
            routingOverrides: prod.overrides
            rollouts: prod.rollouts
            deadLetters: prod.dead
        """);
    RenderedChart chart = RenderedChart.renderOverDefaults(values);
    assertThat(
            AppDefaults.source(
                "xds-control/src/main/java/io/meshpulse/xds/XdsControlProperties.java"))
        .as("xds-control's topic properties")
        .contains("String endpointHealthTopic")
        .contains("String serviceHealthTopic")
        .contains("String routingDecisionsTopic")
        .contains("String routingOverridesTopic")
        .contains("String rolloutsTopic");
    assertThat(chart.env("mp-meshpulse-xds-control"))
        .as("xds-control env")
        .containsEntry("MESHPULSE_XDS_KAFKA_ENDPOINTHEALTHTOPIC", "prod.endpoint-health")
        .containsEntry("MESHPULSE_XDS_KAFKA_SERVICEHEALTHTOPIC", "prod.service-health")
        .containsEntry("MESHPULSE_XDS_KAFKA_ROUTINGDECISIONSTOPIC", "prod.decisions")
        .containsEntry("MESHPULSE_XDS_KAFKA_ROUTINGOVERRIDESTOPIC", "prod.overrides")
        .containsEntry("MESHPULSE_XDS_KAFKA_ROLLOUTSTOPIC", "prod.rollouts")
        .as("xds-control's Kafka Streams application, one per release")
        .containsEntry("MESHPULSE_XDS_KAFKA_APPLICATIONID", "mp-meshpulse-xds-control");
    assertThat(chart.env("mp-meshpulse-collector"))
        .as("collector env")
        .containsEntry("MESHPULSE_COLLECTOR_KAFKA_ACCESSRECORDSTOPIC", "prod.access")
        .containsEntry("MESHPULSE_COLLECTOR_KAFKA_PROXYSTATSTOPIC", "prod.stats");
    assertThat(
            (Iterable<String>)
                chart.firstCustom("FlinkDeployment").orElseThrow().get("spec", "job", "args"))
        .as("Flink job args")
        .contains(
            "--meshpulse.health.topics.access-records=prod.access",
            "--meshpulse.health.topics.endpoint-health=prod.endpoint-health",
            "--meshpulse.health.topics.service-health=prod.service-health",
            "--meshpulse.health.topics.dead-letters=prod.dead");
  }

  /** kafka.topics of values.yaml. */
  @SuppressWarnings("unchecked") // values.yaml parsed as plain maps
  static Map<String, String> topicValues() {
    try {
      Map<String, Object> values =
          Serialization.unmarshal(
              Files.readString(RenderedChart.CHART.resolve("values.yaml")), Map.class);
      return (Map<String, String>) ((Map<String, Object>) values.get("kafka")).get("topics");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** MeshTopics.COMPACTED_CONFIGS, read from its source. */
  static Map<String, String> compactedConfigs() {
    String source = AppDefaults.source(MESH_TOPICS);
    Matcher block = Pattern.compile("COMPACTED_CONFIGS =(.*?);", Pattern.DOTALL).matcher(source);
    assertThat(block.find()).as("COMPACTED_CONFIGS in MeshTopics").isTrue();
    Matcher pair = Pattern.compile("\"([^\"]+)\",\\s*\"([^\"]+)\"").matcher(block.group(1));
    Map<String, String> out = new TreeMap<>();
    while (pair.find()) {
      out.put(pair.group(1), pair.group(2));
    }
    assertThat(out).as("COMPACTED_CONFIGS").containsEntry("cleanup.policy", "compact");
    return out;
  }

  private static Map<String, GenericKubernetesResource> topicsByName(RenderedChart chart) {
    return chart.custom("KafkaTopic").stream()
        .collect(Collectors.toMap(t -> (String) t.get("spec", "topicName"), t -> t));
  }

  private static Map<String, String> config(GenericKubernetesResource topic) {
    Map<String, Object> config = topic.get("spec", "config");
    return new TreeMap<>(
        config.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()))));
  }
}
