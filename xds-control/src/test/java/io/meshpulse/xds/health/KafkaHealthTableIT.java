package io.meshpulse.xds.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.model.v1.Window;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health table against a real broker: what an update brings and what a restore brings are both
 * read, a tombstone removes a key for good, and a topology's read holds only its endpoints.
 */
class KafkaHealthTableIT {
  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
  private static final Topology TOPOLOGY =
      new Topology(
          List.of(
              new ServiceSpec(
                  "reviews",
                  9080,
                  ServiceProtocol.HTTP,
                  List.of(
                      new SubsetSpec(
                          "v1",
                          Map.of(),
                          1,
                          List.of(endpoint(9101), endpoint(9102), endpoint(9103)))))));
  private static final EndpointId E1 = new EndpointId("reviews", "127.0.0.1", 9101);
  private static final EndpointId E2 = new EndpointId("reviews", "127.0.0.1", 9102);
  private static final EndpointId OTHER = new EndpointId("ratings", "10.9.9.9", 9080);

  @TempDir Path dir;

  @Test
  void updatesAndRestoresAreRead_tombstonesStay_andATopologysReadHoldsOnlyItsEndpoints()
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      send(producer, E1, HealthState.HEALTH_STATE_HEALTHY, T0);
      send(producer, E2, HealthState.HEALTH_STATE_DEGRADED, T0.plusSeconds(1));
      send(producer, OTHER, HealthState.HEALTH_STATE_HEALTHY, T0.plusSeconds(5));
      ServiceHealth reviews =
          ServiceHealth.newBuilder()
              .setCluster("reviews")
              .setState(HealthState.HEALTH_STATE_HEALTHY)
              .setScore(0.97)
              .build();
      producer.send(record(Topics.SERVICE_HEALTH, RecordKeys.of(reviews), reviews.toByteArray()));
      producer.flush();

      // A first instance processes the records as updates.
      try (KafkaHealthTable first = start(kafka, "state-a")) {
        await(() -> first.updates() >= 3, "the first instance's updates");
        HealthTable table = first.table(TOPOLOGY);
        assertThat(table.byId().keySet())
            .as("the topology's endpoints that have a record, and no other")
            .containsExactlyInAnyOrder(E1, E2);
        assertThat(first.table().byId()).containsKey(OTHER).hasSize(3);
        assertThat(table.lastRecordAt())
            .as("the newest record about any endpoint")
            .isEqualTo(T0.plusSeconds(5));
        await(() -> first.services().containsKey("reviews"), "the service record");
        assertThat(first.services().get("reviews").getScore()).isEqualTo(0.97);

        producer.send(record(Topics.ENDPOINT_HEALTH, E2.key(), null)).get();
        await(() -> first.table(TOPOLOGY).get(E2).isEmpty(), "the tombstone");
      }

      // A second instance with empty local state restores the stores from the topics; restored
      // records are not processed again, so what it reads was seeded from the stores.
      AtomicInteger asked = new AtomicInteger();
      try (KafkaHealthTable second = start(kafka, "state-b", asked::incrementAndGet)) {
        assertThat(second.updates()).as("restored, not processed").isZero();
        HealthTable table = second.table(TOPOLOGY);
        assertThat(table.byId().keySet())
            .as("restored: the deleted endpoint stays deleted")
            .containsExactly(E1);
        assertThat(table.get(E1).orElseThrow().observedAt()).isEqualTo(T0);
        assertThat(table.lastRecordAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(second.services()).containsOnlyKeys("reviews");

        // A service record alone (a canary subset failing) asks for an evaluation too.
        int askedBefore = asked.get();
        ServiceHealth failing =
            reviews.toBuilder().setState(HealthState.HEALTH_STATE_UNHEALTHY).setScore(0.2).build();
        producer
            .send(record(Topics.SERVICE_HEALTH, RecordKeys.of(failing), failing.toByteArray()))
            .get();
        await(() -> second.services().get("reviews").getScore() == 0.2, "the service update");
        await(() -> asked.get() > askedBefore, "an evaluation asked for by the service record");

        send(producer, E1, HealthState.HEALTH_STATE_UNHEALTHY, T0.plusSeconds(10));
        await(
            () ->
                second.table(TOPOLOGY).get(E1).orElseThrow().record().getState()
                    == HealthState.HEALTH_STATE_UNHEALTHY,
            "an update after the restore");
        assertThat(second.table(TOPOLOGY).lastRecordAt()).isEqualTo(T0.plusSeconds(10));

        // A record dated an hour ahead (the health job's clock runs fast) counts as of its arrival.
        Instant sent = Instant.now();
        send(producer, E2, HealthState.HEALTH_STATE_UNHEALTHY, sent.plusSeconds(3600));
        await(() -> second.table(TOPOLOGY).get(E2).isPresent(), "the future-dated record");
        Instant read = Instant.now();
        assertThat(second.table(TOPOLOGY).get(E2).orElseThrow().observedAt())
            .as("observed at its arrival, not an hour ahead")
            .isBetween(sent, read);
        assertThat(second.table(TOPOLOGY).lastRecordAt())
            .as("so silence can still be detected")
            .isBetween(sent, read);
        assertThat(second.futureDatedRecords()).as("counted").isEqualTo(1);

        // A window that ended a minute ago, scored again and emitted now (a health job restarted
        // from its checkpoint): as old as its window, so the policy reads it as stale.
        Instant windowEnd = Instant.now().minusSeconds(60);
        send(producer, E1, HealthState.HEALTH_STATE_DEGRADED, Instant.now(), windowEnd);
        await(
            () ->
                second.table(TOPOLOGY).get(E1).orElseThrow().record().getState()
                    == HealthState.HEALTH_STATE_DEGRADED,
            "the replayed window");
        assertThat(second.table(TOPOLOGY).get(E1).orElseThrow().observedAt())
            .as("observed at its window's end, not at its emission")
            .isEqualTo(Instant.ofEpochMilli(windowEnd.toEpochMilli()));

        // An older window than the one held, emitted after it: ignored, and counted. A record
        // after it on the same partition shows it has been read.
        send(
            producer,
            E1,
            HealthState.HEALTH_STATE_HEALTHY,
            Instant.now(),
            windowEnd.minusSeconds(1));
        send(producer, E2, HealthState.HEALTH_STATE_HEALTHY, Instant.now(), Instant.now());
        await(
            () ->
                second.table(TOPOLOGY).get(E2).orElseThrow().record().getState()
                    == HealthState.HEALTH_STATE_HEALTHY,
            "the record after the older window");
        assertThat(second.table(TOPOLOGY).get(E1).orElseThrow().record().getState())
            .as("the newer window's verdict stays")
            .isEqualTo(HealthState.HEALTH_STATE_DEGRADED);
        assertThat(second.supersededRecords()).as("counted").isEqualTo(1);
      }
    }
  }

  private KafkaHealthTable start(EmbeddedKafka kafka, String stateDir) throws InterruptedException {
    return start(kafka, stateDir, () -> {});
  }

  private KafkaHealthTable start(EmbeddedKafka kafka, String stateDir, Runnable onUpdate)
      throws InterruptedException {
    KafkaHealthTable table =
        new KafkaHealthTable(
            new HealthStreamsConfig(
                KafkaClientConfig.of(kafka.bootstrapServers()),
                "health-table-it",
                dir.resolve(stateDir),
                Topics.ENDPOINT_HEALTH,
                Topics.SERVICE_HEALTH,
                Duration.ofMillis(100)),
            java.time.Clock.systemUTC(),
            onUpdate);
    table.start();
    await(table::ready, "the health table ready");
    return table;
  }

  private static EndpointSpec endpoint(int port) {
    return new EndpointSpec("127.0.0.1", port, LocalitySpec.NONE);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, EndpointId id, HealthState state, Instant emitted)
      throws Exception {
    send(producer, id, state, emitted, null);
  }

  private static void send(
      KafkaProducer<String, byte[]> producer,
      EndpointId id,
      HealthState state,
      Instant emitted,
      @Nullable Instant windowEnd)
      throws Exception {
    EndpointHealth.Builder h =
        EndpointHealth.newBuilder()
            .setCluster(id.service())
            .setSubset("v1")
            .setEndpoint(Endpoint.newBuilder().setAddress(id.address()).setPort(id.port()))
            .setState(state)
            .setScore(state == HealthState.HEALTH_STATE_HEALTHY ? 0.97 : 0.3)
            .setEmittedUnixMillis(emitted.toEpochMilli());
    if (windowEnd != null) {
      h.setWindow(
          Window.newBuilder()
              .setStartUnixMillis(windowEnd.toEpochMilli() - 10_000)
              .setEndUnixMillis(windowEnd.toEpochMilli()));
    }
    EndpointHealth built = h.build();
    producer.send(record(Topics.ENDPOINT_HEALTH, RecordKeys.of(built), built.toByteArray())).get();
  }

  private static ProducerRecord<String, byte[]> record(
      String topic, String key, byte @Nullable [] value) {
    return new ProducerRecord<>(topic, key, value);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
