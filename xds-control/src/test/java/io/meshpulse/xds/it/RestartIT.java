package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.rollout.Rollout;
import io.meshpulse.xds.rollout.RolloutState;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xds-control restarts with empty local state: its health table comes back from Kafka, and it
 * publishes nothing (no reset to neutral, no new ejection) until the table is restored and caught
 * up, so the first routing a proxy sees is already the consistent one. Operator overrides come back
 * from their compacted topic.
 */
class RestartIT {
  static final String[] POLICY = {
    "meshpulse.xds.policy.stale-after=60s", "meshpulse.xds.policy.silent-after=90s"
  };
  @TempDir Path dir;

  @Test
  void aRestartedControlPlane_restoresHealthFromKafka_andPublishesOnlyTheConsistentRouting()
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology =
          Topologies.write(
              dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
      try (XdsControlHarness first =
          new XdsControlHarness(kafka, topology, dir.resolve("state-a"), "restart-it", POLICY)) {
        first.awaitReady(Duration.ofSeconds(60));
        producer.sendOneUnhealthy("reviews", 9101, 9105, 9103);
        XdsControlHarness.await(
            () -> ejected(first).equals(List.of(9103)),
            Duration.ofSeconds(10),
            "the first instance's ejection");
      }
      // While xds-control is down, the pipeline carries on.
      producer.send("reviews", "127.0.0.1", 9102, HealthState.HEALTH_STATE_DEGRADED, 0.5);

      try (XdsControlHarness second =
              new XdsControlHarness(kafka, topology, dir.resolve("state-b"), "restart-it", POLICY);
          AdsTestClient envoy = new AdsTestClient(second.adsPort(), "envoy-restart")) {
        boolean readyAtConnect = second.runtime().loop().view().ready();
        envoy.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER_TYPE_URL).build());
        DiscoveryResponse cds = envoy.expect(Duration.ofSeconds(60));
        envoy.send(
            DiscoveryRequest.newBuilder()
                .setTypeUrl(CLUSTER_TYPE_URL)
                .setVersionInfo(cds.getVersionInfo())
                .setResponseNonce(cds.getNonce())
                .build());
        envoy.send(
            DiscoveryRequest.newBuilder()
                .setTypeUrl(ENDPOINT_TYPE_URL)
                .addResourceNames("outbound|9080|v1|reviews")
                .build());
        DiscoveryResponse eds = envoy.expect(Duration.ofSeconds(10));

        Map<Integer, LbEndpoint> endpoints = new HashMap<>();
        for (LocalityLbEndpoints l :
            eds.getResources(0).unpack(ClusterLoadAssignment.class).getEndpointsList()) {
          LbEndpoint e = l.getLbEndpoints(0);
          endpoints.put(e.getEndpoint().getAddress().getSocketAddress().getPortValue(), e);
        }
        assertThat(readyAtConnect)
            .as("the proxy connected before the health table was restored")
            .isFalse();
        assertThat(endpoints.get(9103).getHealthStatus())
            .as("still ejected after the restart")
            .isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(endpoints.get(9102).getLoadBalancingWeight().getValue())
            .as("the record produced while down was applied before the first push")
            .isLessThan(100);
        assertThat(
                endpoints.values().stream()
                    .filter(e -> e.getHealthStatus() == HealthStatus.UNHEALTHY)
                    .count())
            .as("nobody else ejected")
            .isEqualTo(1);
        assertThat(second.runtime().health().table().byId())
            .as("health restored from Kafka")
            .hasSize(5);
        List<RoutingDecision> decisions = second.runtime().decisions().recent("reviews", 100);
        assertThat(decisions.stream().flatMap(d -> d.getEndpointChangesList().stream()))
            .as("no re-admission or neutral reset after the restart")
            .noneMatch(
                c ->
                    c.getAction() == EndpointAction.ENDPOINT_ACTION_READMIT
                        || c.getAction() == EndpointAction.ENDPOINT_ACTION_NEUTRAL);
      }
    }
  }

  @Test
  void anEjectionWhoseRecordWentStale_outlivesARestart_andEndsThroughTheRamp() throws Exception {
    String[] policy = {
      "meshpulse.xds.policy.stale-after=2s",
      "meshpulse.xds.policy.silent-after=60s",
      "meshpulse.xds.policy.base-ejection-time=30s"
    };
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology =
          Topologies.write(
              dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
      // The healthy endpoints keep reporting; the ejected one gets no traffic, so no records.
      java.util.concurrent.ScheduledExecutorService pipeline =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      pipeline.scheduleAtFixedRate(
          () -> {
            try {
              for (int port : new int[] {9101, 9102, 9104, 9105}) {
                producer.send("reviews", "127.0.0.1", port, HealthState.HEALTH_STATE_HEALTHY, 0.97);
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          },
          0,
          500,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        Instant ejectedAt;
        try (XdsControlHarness first =
            new XdsControlHarness(kafka, topology, dir.resolve("a"), "restart-ramp", policy)) {
          first.awaitReady(Duration.ofSeconds(60));
          producer.send("reviews", "127.0.0.1", 9103, HealthState.HEALTH_STATE_UNHEALTHY, 0.05);
          XdsControlHarness.await(
              () -> ejected(first).equals(List.of(9103)),
              Duration.ofSeconds(10),
              "the first instance's ejection");
          ejectedAt = Instant.now();
          XdsControlHarness.await(
              () ->
                  first
                      .runtime()
                      .loop()
                      .view()
                      .intended()
                      .services()
                      .get("reviews")
                      .endpoints()
                      .stream()
                      .anyMatch(e -> e.id().port() == 9103 && Double.isNaN(e.score())),
              Duration.ofSeconds(10),
              "the ejected endpoint's record gone stale");
        }
        try (XdsControlHarness second =
            new XdsControlHarness(kafka, topology, dir.resolve("b"), "restart-ramp", policy)) {
          second.awaitReady(Duration.ofSeconds(60));
          assertThat(ejected(second))
              .as("ejected in the restarted instance's first routing, its record stale")
              .containsExactly(9103);
          assertThat(Instant.now())
              .as("checked before the ejection's deadline")
              .isBefore(ejectedAt.plusSeconds(30));
          XdsControlHarness.await(
              () -> ejected(second).isEmpty(), Duration.ofSeconds(45), "the re-admission");
          // The loop publishes its routing, then logs the decision.
          XdsControlHarness.await(
              () -> !changesOf(second, 9103).isEmpty(),
              Duration.ofSeconds(5),
              "the decision re-admitting 9103");
          List<EndpointChange> changes = changesOf(second, 9103);
          assertThat(changes)
              .as("9103's changes after the restart, newest first")
              .last()
              .satisfies(
                  c -> {
                    assertThat(c.getAction())
                        .as("action")
                        .isEqualTo(EndpointAction.ENDPOINT_ACTION_READMIT);
                    assertThat(c.getNewWeight()).as("the ramp's first weight").isEqualTo(10);
                  });
        }
      } finally {
        pipeline.shutdownNow();
      }
    }
  }

  @Test
  void anOperatorsEjection_outlivesARestart_andItsRemovalDoesToo() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology =
          Topologies.write(
              dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
      for (int port = 9101; port <= 9105; port++) {
        producer.send("reviews", "127.0.0.1", port, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      }
      try (XdsControlHarness first =
          new XdsControlHarness(kafka, topology, dir.resolve("o-a"), "restart-override", POLICY)) {
        first.awaitReady(Duration.ofSeconds(60));
        HttpResponse<String> set =
            first.send(
                "POST",
                "/api/v1/overrides",
                "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:9103\",\"eject\":true,"
                    + "\"reason\":\"node maintenance\"}");
        assertThat(set.statusCode()).as("override set").isEqualTo(201);
        assertThat(set.body()).as("override answer").contains("\"stored\":true");
        XdsControlHarness.await(
            () -> ejected(first).equals(List.of(9103)),
            Duration.ofSeconds(10),
            "the operator's ejection");
      }

      try (XdsControlHarness second =
          new XdsControlHarness(kafka, topology, dir.resolve("o-b"), "restart-override", POLICY)) {
        second.awaitReady(Duration.ofSeconds(60));
        assertThat(ejected(second))
            .as("ejected by the override in the restarted instance's first routing")
            .containsExactly(9103);
        assertThat(servedEjected(second)).as("served to proxies as ejected").containsExactly(9103);
        assertThat(second.runtime().overrides().snapshot().values())
            .as("the override restored")
            .singleElement()
            .satisfies(
                o -> {
                  assertThat(o.ejects()).as("ejects").isTrue();
                  assertThat(o.reason()).as("reason").isEqualTo("node maintenance");
                });
        HttpResponse<String> removed =
            second.send("DELETE", "/api/v1/overrides?cluster=reviews&endpoint=127.0.0.1:9103", "");
        assertThat(removed.statusCode()).as("override removed").isEqualTo(200);
        assertThat(removed.body()).as("removal answer").contains("\"stored\":true");
        XdsControlHarness.await(
            () -> ejected(second).isEmpty(), Duration.ofSeconds(10), "the end of the ejection");
      }

      try (XdsControlHarness third =
          new XdsControlHarness(kafka, topology, dir.resolve("o-c"), "restart-override", POLICY)) {
        third.awaitReady(Duration.ofSeconds(60));
        assertThat(third.runtime().overrides().snapshot())
            .as("no override after its removal and a restart")
            .isEmpty();
        assertThat(ejected(third)).as("ejected after the second restart").isEmpty();
        assertThat(servedEjected(third)).as("served as ejected after the second restart").isEmpty();
      }
    }
  }

  @Test
  void aSubsetDrainedForItsHealth_staysDrainedAcrossARestart_untilItsHoldEnds() throws Exception {
    String[] settings = {
      "meshpulse.xds.policy.stale-after=60s",
      "meshpulse.xds.policy.silent-after=90s",
      "meshpulse.xds.subset-shift.hold=20s",
      "meshpulse.xds.subset-shift.restore-step=50",
      "meshpulse.xds.subset-shift.restore-interval=1s"
    };
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
      producer.send("reviews", "127.0.0.1", 9101, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      producer.send("reviews", "127.0.0.1", 9102, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      producer.sendSubset("reviews", "v1", HealthState.HEALTH_STATE_HEALTHY, 800);
      Instant shiftedAt;
      try (XdsControlHarness first =
          new XdsControlHarness(kafka, topology, dir.resolve("s-a"), "restart-subset", settings)) {
        first.awaitReady(Duration.ofSeconds(60));
        assertThat(canaryWeight(first)).as("the canary's weight before its failure").isPositive();
        producer.sendSubset("reviews", "v2", HealthState.HEALTH_STATE_UNHEALTHY, 400);
        XdsControlHarness.await(
            () -> canaryWeight(first) == 0, Duration.ofSeconds(10), "the canary drained");
        shiftedAt = Instant.now();
        // Drained, the canary gets no traffic: the health job forgets its subset record.
        producer.sendRaw(io.meshpulse.model.Topics.SERVICE_HEALTH, "reviews/v2", null);
      }

      try (XdsControlHarness second =
          new XdsControlHarness(kafka, topology, dir.resolve("s-b"), "restart-subset", settings)) {
        second.awaitReady(Duration.ofSeconds(60));
        assertThat(second.runtime().health().services())
            .as("no record of the canary left to drain it again")
            .doesNotContainKey("reviews/v2");
        assertThat(canaryWeight(second))
            .as("still drained in the restarted instance's first routing")
            .isZero();
        assertThat(Instant.now())
            .as("checked before the hold ends")
            .isBefore(shiftedAt.plusSeconds(20));
        XdsControlHarness.await(
            () -> canaryWeight(second) > 0, Duration.ofSeconds(30), "the canary's weight back");
        assertThat(Instant.now())
            .as("given back after the hold that began before the restart, not a new one")
            .isAfter(shiftedAt.plusSeconds(19));
        // The loop publishes its routing, then logs the decision.
        XdsControlHarness.await(
            () ->
                second.runtime().decisions().recent("reviews", 100).stream()
                    .flatMap(d -> d.getShiftChangesList().stream())
                    .anyMatch(
                        c ->
                            c.getRef().equals("health:reviews/v2")
                                && c.getRemainingPercent() == 50),
            Duration.ofSeconds(5),
            "the decision giving the canary half its weight back, naming the health shift");
      }
    }
  }

  @Test
  void anAlertShiftRestoring_waitsOutItsHoldAcrossARestart() throws Exception {
    String[] settings = {
      "meshpulse.xds.policy.stale-after=60s",
      "meshpulse.xds.policy.silent-after=90s",
      "meshpulse.xds.alerts.token=" + ALERT_TOKEN,
      "meshpulse.xds.alerts.actions[0].match.alertname=MeshCanaryErrorRateHigh",
      "meshpulse.xds.alerts.actions[0].shift-to=v1",
      "meshpulse.xds.alerts.actions[0].step=50",
      "meshpulse.xds.alerts.actions[0].step-interval=200ms",
      "meshpulse.xds.alerts.actions[0].restore-step=50",
      "meshpulse.xds.alerts.actions[0].restore-interval=20s"
    };
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
      producer.send("reviews", "127.0.0.1", 9101, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      producer.send("reviews", "127.0.0.1", 9102, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      Instant resolvedAt;
      try (XdsControlHarness first =
          new XdsControlHarness(kafka, topology, dir.resolve("a-a"), "restart-alert", settings)) {
        first.awaitReady(Duration.ofSeconds(60));
        assertThat(canaryWeight(first)).as("the canary's weight before the alert").isPositive();
        assertThat(alert(first, "firing").statusCode()).as("firing accepted").isEqualTo(200);
        XdsControlHarness.await(
            () -> canaryWeight(first) == 0, Duration.ofSeconds(10), "the canary drained");
        assertThat(alert(first, "resolved").body()).as("resolved").contains("\"restoring\":1");
        resolvedAt = Instant.now();
        XdsControlHarness.await(
            () ->
                first.runtime().decisions().recent("reviews", 100).stream()
                    .flatMap(d -> d.getAlertShiftsList().stream())
                    .anyMatch(a -> a.getResolved() && a.getFingerprint().equals("fp-restart")),
            Duration.ofSeconds(5),
            "the resolution logged");
      }

      try (XdsControlHarness second =
          new XdsControlHarness(kafka, topology, dir.resolve("a-b"), "restart-alert", settings)) {
        second.awaitReady(Duration.ofSeconds(60));
        assertThat(canaryWeight(second))
            .as("still drained in the restarted instance's first routing")
            .isZero();
        assertThat(Instant.now())
            .as("checked before the hold ends")
            .isBefore(resolvedAt.plusSeconds(20));
        XdsControlHarness.await(
            () -> canaryWeight(second) > 0, Duration.ofSeconds(30), "the canary's weight back");
        assertThat(Instant.now())
            .as("given back after the hold that began before the restart, not a new one")
            .isAfter(resolvedAt.plusSeconds(19));
      }
    }
  }

  @Test
  void anAlertShiftHeldLongerThanTheReadBack_staysAcrossARestart() throws Exception {
    // A read-back of 30 s (max-ejection-time + offence-memory; no subset shifts to lengthen it):
    // the shift is written again every third of it while it holds, so the second instance must
    // read the log within 20 s of the first one's stop (its start takes about 10 s).
    String[] settings = {
      "meshpulse.xds.policy.stale-after=60s",
      "meshpulse.xds.policy.silent-after=90s",
      "meshpulse.xds.policy.min-dwell=1s",
      "meshpulse.xds.policy.base-ejection-time=2s",
      "meshpulse.xds.policy.max-ejection-time=15s",
      "meshpulse.xds.policy.offence-memory=15s",
      "meshpulse.xds.subset-shift.enabled=false",
      "meshpulse.xds.alerts.token=" + ALERT_TOKEN,
      "meshpulse.xds.alerts.actions[0].match.alertname=MeshCanaryErrorRateHigh",
      "meshpulse.xds.alerts.actions[0].shift-to=v1",
      "meshpulse.xds.alerts.actions[0].step=100",
      "meshpulse.xds.alerts.actions[0].step-interval=200ms"
    };
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
      producer.send("reviews", "127.0.0.1", 9101, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      producer.send("reviews", "127.0.0.1", 9102, HealthState.HEALTH_STATE_HEALTHY, 0.97);
      try (XdsControlHarness first =
          new XdsControlHarness(kafka, topology, dir.resolve("h-a"), "restart-held", settings)) {
        first.awaitReady(Duration.ofSeconds(60));
        assertThat(alert(first, "firing").statusCode()).as("firing accepted").isEqualTo(200);
        XdsControlHarness.await(
            () -> canaryWeight(first) == 0, Duration.ofSeconds(10), "the canary drained");
        Instant drainedAt = Instant.now();
        // Held at its floor, beyond the read-back: only reaffirmations record it since.
        XdsControlHarness.await(
            () ->
                first.runtime().decisions().recent("reviews", 100).stream()
                        .flatMap(d -> d.getAlertShiftsList().stream())
                        .filter(a -> a.getReaffirmed() && a.getFingerprint().equals("fp-restart"))
                        .count()
                    >= 3,
            Duration.ofSeconds(50),
            "three reaffirmations of the held shift");
        XdsControlHarness.await(
            () -> Instant.now().isAfter(drainedAt.plusSeconds(31)),
            Duration.ofSeconds(30),
            "beyond the read-back");
        assertThat(canaryWeight(first)).as("still drained before the restart").isZero();
      }

      try (XdsControlHarness second =
          new XdsControlHarness(kafka, topology, dir.resolve("h-b"), "restart-held", settings)) {
        second.awaitReady(Duration.ofSeconds(60));
        assertThat(canaryWeight(second))
            .as("still drained in the restarted instance's first routing")
            .isZero();
        XdsControlHarness.await(
            () ->
                second.runtime().decisions().recent("reviews", 100).stream()
                    .flatMap(d -> d.getAlertShiftsList().stream())
                    .anyMatch(a -> a.getReaffirmed() && a.getFingerprint().equals("fp-restart")),
            Duration.ofSeconds(5),
            "the shift taken back written again by the restarted instance");
      }
    }
  }

  private static final String ALERT_TOKEN = "restart-token";

  private static HttpResponse<String> alert(XdsControlHarness app, String status) throws Exception {
    return app.send(
        "POST",
        "/api/v1/alerts",
        AlertWebhookIT.payload(status, "fp-restart"),
        "Bearer " + ALERT_TOKEN);
  }

  @Test
  void aRolloutStartedThroughTheApi_goesOnFromItsPercentAfterARestart() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka);
        XdsControlHarness.HealthPipeline pipeline =
            new XdsControlHarness.HealthPipeline(producer, Duration.ofMillis(250))) {
      kafka.createTopics(MeshTopics.all(1));
      Path topology = Topologies.write(dir, RolloutIT.service("reviews", 9080, 91));
      for (int port : new int[] {9101, 9102, 9103}) {
        pipeline.put("reviews", port, HealthState.HEALTH_STATE_HEALTHY);
      }
      pipeline.start();
      XdsControlHarness first =
          new XdsControlHarness(kafka, topology, dir.resolve("r-a"), "restart-rollout", POLICY);
      io.meshpulse.xds.rollout.Rollouts firstRollouts = first.runtime().rollouts();
      try {
        first.awaitReady(Duration.ofSeconds(60));
        HttpResponse<String> started =
            first.send(
                "POST",
                "/api/v1/rollouts",
                "{\"service\":\"reviews\",\"subset\":\"v2\",\"stable\":\"v1\","
                    + "\"stepPercent\":10,\"interval\":\"2s\"}");
        assertThat(started.statusCode()).as("rollout started: %s", started.body()).isEqualTo(201);
        XdsControlHarness.await(
            () -> rolloutPercent(first) >= 20, Duration.ofSeconds(30), "the canary at 20 %");
      } finally {
        first.close();
      }
      // Closed, the first instance's rollout is where it stopped.
      int percentAtStop = firstRollouts.get("reviews", "v2").orElseThrow().percent();
      try (XdsControlHarness second =
          new XdsControlHarness(kafka, topology, dir.resolve("r-b"), "restart-rollout", POLICY)) {
        second.awaitReady(Duration.ofSeconds(60));
        assertThat(second.runtime().rollouts().get("reviews", "v2"))
            .as("the rollout in the restarted instance")
            .hasValueSatisfying(
                r -> {
                  assertThat(r.state()).as("state").isEqualTo(RolloutState.PROGRESSING);
                  assertThat(r.percent())
                      .as("percent, from %d %% at the stop", percentAtStop)
                      .isBetween(percentAtStop, percentAtStop + 10);
                });
        assertThat(canaryWeight(second))
            .as("the canary's route weight in the first routing")
            .isPositive();
        XdsControlHarness.await(
            () -> rolloutPercent(second) >= percentAtStop + 20,
            Duration.ofSeconds(30),
            "the rollout stepping on");
      }
    }
  }

  private static int rolloutPercent(XdsControlHarness app) {
    return app.runtime().rollouts().get("reviews", "v2").map(Rollout::percent).orElse(-1);
  }

  private static int canaryWeight(XdsControlHarness app) {
    var service = app.runtime().loop().view().intended().services().get("reviews");
    return service == null ? -1 : service.subsetWeights().getOrDefault("v2", -1);
  }

  private static List<Integer> ejected(XdsControlHarness app) {
    return ejected(app.runtime().loop().view().intended());
  }

  private static List<Integer> servedEjected(XdsControlHarness app) {
    return ejected(app.runtime().loop().view().served());
  }

  private static List<Integer> ejected(RoutingTable table) {
    return XdsControlHarness.ejected(table, "reviews");
  }

  /** The endpoint changes of {@code port} in the instance's recent decisions, newest first. */
  private static List<EndpointChange> changesOf(XdsControlHarness instance, int port) {
    return instance.runtime().decisions().recent("reviews", 100).stream()
        .flatMap(d -> d.getEndpointChangesList().stream())
        .filter(c -> c.getEndpoint().getPort() == port)
        .toList();
  }
}
