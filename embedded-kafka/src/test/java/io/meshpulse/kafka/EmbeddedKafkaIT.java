package io.meshpulse.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.MessageLite;
import io.meshpulse.model.MeshSerdes;
import io.meshpulse.model.SampleRecords;
import io.meshpulse.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.builder().build().start();
    System.out.printf(
        "embedded KRaft broker start-to-ready: %d ms%n", kafka.startupTime().toMillis());
    kafka.createTopics(MeshTopics.all(3));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void broker_reportsItsStartToReadyTime() {
    // Printed in startBroker(); a start that never answers fails start() itself (60 s).
    assertThat(kafka.startupTime()).as("start-to-ready").isPositive();
    assertThat(kafka.isRunning()).as("running").isTrue();
  }

  @Test
  void everyTopic_isCreated() throws Exception {
    try (Admin admin = kafka.admin()) {
      Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      assertThat(names).as("topics on the broker").containsAll(Topics.ALL);
    }
  }

  @Test
  void healthTopics_areCompacted_andTheOthersAreNot() throws Exception {
    try (Admin admin = kafka.admin()) {
      for (String topic : Topics.ALL) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config =
            admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
        String policy = config.get("cleanup.policy").value();
        if (Topics.COMPACTED.contains(topic)) {
          assertThat(policy).as("cleanup.policy of %s", topic).isEqualTo("compact");
          assertThat(config.get("min.cleanable.dirty.ratio").value())
              .as("min.cleanable.dirty.ratio of %s", topic)
              .isEqualTo("0.1");
        } else {
          assertThat(policy).as("cleanup.policy of %s", topic).isEqualTo("delete");
        }
      }
    }
  }

  @Test
  void everySchema_roundTripsThroughKafka() {
    roundTrip(Topics.ACCESS_RECORDS, MeshSerdes.accessRecord(), SampleRecords.accessRecord());
    roundTrip(Topics.PROXY_STATS, MeshSerdes.proxyStats(), SampleRecords.proxyStats());
    roundTrip(Topics.ENDPOINT_HEALTH, MeshSerdes.endpointHealth(), SampleRecords.endpointHealth());
    roundTrip(Topics.SERVICE_HEALTH, MeshSerdes.serviceHealth(), SampleRecords.serviceHealth());
    roundTrip(
        Topics.ROUTING_DECISIONS, MeshSerdes.routingDecision(), SampleRecords.routingDecision());
  }

  @Test
  void stopAndStart_keepsTheLog() {
    roundTrip(Topics.DEAD_LETTERS, MeshSerdes.serviceHealth(), SampleRecords.serviceHealth());
    kafka.stop();
    assertThat(kafka.isRunning()).as("running after stop").isFalse();
    kafka.start();

    List<ConsumerRecord<String, io.meshpulse.model.v1.ServiceHealth>> records =
        readAll(Topics.DEAD_LETTERS, MeshSerdes.serviceHealth(), 1);
    assertThat(records).as("records after a restart").isNotEmpty();
    assertThat(records.get(0).value())
        .as("value after a restart")
        .isEqualTo(SampleRecords.serviceHealth());
  }

  private static <T extends MessageLite> void roundTrip(String topic, Serde<T> serde, T record) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4");
    try (KafkaProducer<String, T> producer =
        new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
      producer.send(new ProducerRecord<>(topic, "key-" + topic, record));
      producer.flush();
    }
    List<ConsumerRecord<String, T>> records = readAll(topic, serde, 1);
    assertThat(records).as("records read back from %s", topic).hasSize(1);
    assertThat(records.get(0).key()).as("key on %s", topic).isEqualTo("key-" + topic);
    assertThat(records.get(0).value()).as("value on %s", topic).isEqualTo(record);
  }

  private static <T> List<ConsumerRecord<String, T>> readAll(
      String topic, Serde<T> serde, int atLeast) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "it-" + topic + "-" + System.nanoTime(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    List<ConsumerRecord<String, T>> out = new ArrayList<>();
    try (KafkaConsumer<String, T> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (out.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
