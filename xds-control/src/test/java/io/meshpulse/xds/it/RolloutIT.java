package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.v1.HealthState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progressive rollouts against a running xds-control, seen by an Envoy-style ADS client (RDS): a
 * canary stepped up every second while its published health holds, rolled back when that health
 * goes bad; a rollout declared in configuration rolled back by an Alertmanager alert.
 */
class RolloutIT {
  private static final Logger logger = LoggerFactory.getLogger(RolloutIT.class);
  static final String TOKEN = "rollout-token";
  static final int REVIEWS_CANARY = 9103;
  static final int RATINGS_CANARY = 9203;

  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static XdsControlHarness.HealthProducer producer;
  static XdsControlHarness.HealthPipeline pipeline;
  @TempDir static Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    Path topology = dir.resolve("topology.yml");
    Files.writeString(
        topology, "services:\n" + service("reviews", 9080, 91) + service("ratings", 9090, 92));
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "rollout-it",
            "meshpulse.xds.alerts.token=" + TOKEN,
            "meshpulse.xds.rollouts[0].service=ratings",
            "meshpulse.xds.rollouts[0].subset=v2",
            "meshpulse.xds.rollouts[0].stable=v1",
            "meshpulse.xds.rollouts[0].step-percent=1",
            "meshpulse.xds.rollouts[0].interval=1s");
    app.awaitReady(Duration.ofSeconds(60));
    producer = new XdsControlHarness.HealthProducer(kafka);
    // Like the stream processor: every endpoint's latest verdict, four times a second.
    pipeline = new XdsControlHarness.HealthPipeline(producer, Duration.ofMillis(250));
    for (String svc : List.of("reviews:91", "ratings:92")) {
      String[] p = svc.split(":");
      for (int i = 1; i <= 3; i++) {
        pipeline.put(p[0], Integer.parseInt(p[1] + "0" + i), HealthState.HEALTH_STATE_HEALTHY);
      }
    }
    pipeline.start();
  }

  /** Stable v1 on ports PP01-02 (route weight 100), canary v2 on PP03 (route weight 0). */
  static String service(String name, int port, int portPrefix) {
    return """
          - name: %s
            port: %d
            protocol: http
            routeWeights: {v1: 100}
            subsets:
              - name: v1
                labels: {version: v1}
                endpoints:
                  - {address: 127.0.0.1, port: %d01, locality: {region: local, zone: a}}
                  - {address: 127.0.0.1, port: %d02, locality: {region: local, zone: a}}
              - name: v2
                labels: {version: v2}
                endpoints:
                  - {address: 127.0.0.1, port: %d03, locality: {region: local, zone: a}}
        """
        .formatted(name, port, portPrefix, portPrefix, portPrefix);
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(pipeline, producer, app, kafka);
  }

  /** An Envoy-style RDS subscription: records the canary's route weight in each response. */
  static final class RouteWatch implements AutoCloseable {
    final AdsTestClient client;
    final String route;
    final List<long[]> seen = new ArrayList<>(); // {nanoTime, canary weight}

    RouteWatch(String route) {
      this.route = route;
      client = new AdsTestClient(app.adsPort(), "rollout-it-" + route);
      client.send(
          DiscoveryRequest.newBuilder().setTypeUrl(ROUTE_TYPE_URL).addResourceNames(route).build());
    }

    /** Reads (and ACKs) responses until the canary weight satisfies {@code wanted}. */
    long awaitCanary(IntPredicate wanted, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        DiscoveryResponse r = left > 0 ? client.next(Duration.ofNanos(left)) : null;
        if (r == null) {
          throw new AssertionError("canary weights seen " + weights() + "; none as wanted");
        }
        long at = System.nanoTime();
        client.send(
            DiscoveryRequest.newBuilder()
                .setTypeUrl(ROUTE_TYPE_URL)
                .addResourceNames(route)
                .setVersionInfo(r.getVersionInfo())
                .setResponseNonce(r.getNonce())
                .build());
        Integer w = canaryWeight(r);
        if (w == null) {
          continue;
        }
        seen.add(new long[] {at, w});
        if (wanted.test(w)) {
          return at;
        }
      }
    }

    @Nullable Integer canaryWeight(DiscoveryResponse r) throws Exception {
      for (var any : r.getResourcesList()) {
        RouteConfiguration rc = any.unpack(RouteConfiguration.class);
        if (!rc.getName().equals(route)) {
          continue;
        }
        RouteAction action = rc.getVirtualHosts(0).getRoutes(0).getRoute();
        if (!action.hasWeightedClusters()) {
          return action.getCluster().contains("|v2|") ? 1000 : 0;
        }
        Map<String, Integer> byCluster = new HashMap<>();
        for (WeightedCluster.ClusterWeight c : action.getWeightedClusters().getClustersList()) {
          byCluster.put(c.getName(), c.getWeight().getValue());
        }
        return byCluster.entrySet().stream()
            .filter(e -> e.getKey().contains("|v2|"))
            .mapToInt(Map.Entry::getValue)
            .sum();
      }
      return null;
    }

    List<Long> weights() {
      return seen.stream().map(s -> s[1]).toList();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  HttpResponse<String> call(String method, String path, @Nullable String auth, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static final String REVIEWS_ROLLOUT =
      """
      {"service":"reviews","subset":"v2","stable":"v1","stepPercent":10,"interval":"1s"}
      """;

  @Test
  void aCanaryStepsUpEverySecondWhileHealthy_andRollsBackWhenItsHealthGoesBad() throws Exception {
    try (RouteWatch watch = new RouteWatch("reviews")) {
      watch.awaitCanary(w -> w == 0, Duration.ofSeconds(10));
      assertThat(call("POST", "/api/v1/rollouts", null, REVIEWS_ROLLOUT).statusCode())
          .as("without the token")
          .isEqualTo(401);
      HttpResponse<String> bad =
          call("POST", "/api/v1/rollouts", "Bearer " + TOKEN, "{\"service\":\"reviews\"}");
      assertThat(bad.statusCode()).as("bad body").isEqualTo(400);
      assertThat(bad.body()).as("bad body message").contains("subset is required");
      HttpResponse<String> unknown =
          call(
              "POST",
              "/api/v1/rollouts",
              "Bearer " + TOKEN,
              REVIEWS_ROLLOUT.replace("\"v2\"", "\"v7\""));
      assertThat(unknown.body()).as("unknown subset").contains("has no subset 'v7'");
      HttpResponse<String> noSuchRoute =
          call(
              "POST",
              "/api/v1/rollouts",
              "Bearer " + TOKEN,
              REVIEWS_ROLLOUT.replace("}", ",\"route\":\"reviews/default\"}"));
      assertThat(noSuchRoute.statusCode()).as("a route without routing files").isEqualTo(400);
      assertThat(noSuchRoute.body())
          .as("its message")
          .contains("route: the routing configuration has no route 'reviews/default'");

      HttpResponse<String> started =
          call("POST", "/api/v1/rollouts", "Bearer " + TOKEN, REVIEWS_ROLLOUT);
      assertThat(started.statusCode()).as("started: " + started.body()).isEqualTo(201);
      assertThat(started.body()).as("stored on the rollouts topic").contains("\"stored\":true");
      long postedAt = System.nanoTime();
      assertThat(call("POST", "/api/v1/rollouts", "Bearer " + TOKEN, REVIEWS_ROLLOUT).statusCode())
          .as("a second rollout of the same canary")
          .isEqualTo(409);

      watch.awaitCanary(w -> w >= 300, Duration.ofSeconds(15));
      List<Long> weights = watch.weights();
      logger.info(
          "canary weights per RDS push {} at {} ms after the POST",
          weights,
          watch.seen.stream().map(s -> TimeUnit.NANOSECONDS.toMillis(s[0] - postedAt)).toList());
      assertThat(weights.subList(weights.indexOf(100L), weights.size()))
          .as("one step of 10 % per push")
          .containsExactly(100L, 200L, 300L);
      long firstStep = watch.seen.get(weights.indexOf(100L))[0];
      long thirdStep = watch.seen.get(weights.indexOf(300L))[0];
      assertThat(TimeUnit.NANOSECONDS.toMillis(thirdStep - firstStep))
          .as("ms from the first to the third step (two intervals of 1 s)")
          .isBetween(1800L, 3500L);
      assertThat(call("GET", "/api/v1/rollouts", null, "").body())
          .as("listed")
          .contains("\"state\":\"PROGRESSING\"", "\"triggerRef\":\"rollout:reviews/v2\"");

      pipeline.put("reviews", REVIEWS_CANARY, HealthState.HEALTH_STATE_UNHEALTHY);
      long unhealthyAt = System.nanoTime();
      producer.send(
          "reviews", "127.0.0.1", REVIEWS_CANARY, HealthState.HEALTH_STATE_UNHEALTHY, 0.05);
      long arrived = System.nanoTime();
      long rolledBack = watch.awaitCanary(w -> w == 0, Duration.ofSeconds(10));
      double seconds = (rolledBack - arrived) / 1e9;
      logger.info(
          "rollback reached the ADS client {} s after the UNHEALTHY record was acknowledged"
              + " ({} s after it was sent)",
          String.format(java.util.Locale.ROOT, "%.3f", seconds),
          String.format(java.util.Locale.ROOT, "%.3f", (rolledBack - unhealthyAt) / 1e9));
      System.out.printf(
          java.util.Locale.ROOT,
          "RolloutIT: health drop -> rollback at the client: %.3f s%n",
          seconds);
      assertThat(seconds)
          .as("seconds from the health drop to the rollback at the client")
          .isLessThan(2.0);

      String listed = call("GET", "/api/v1/rollouts/reviews/v2", null, "").body();
      assertThat(listed)
          .as("rolled back, with the reason")
          .contains(
              "\"state\":\"ROLLED_BACK\"",
              "\"percent\":0",
              "canary health dropped",
              "127.0.0.1:9103 UNHEALTHY");
      // The loop publishes its routing, then logs the decision.
      XdsControlHarness.await(
          () -> {
            try {
              return call("GET", "/api/v1/decisions?cluster=reviews", null, "")
                  .body()
                  .contains("ROLLED_BACK: rolled back: canary health dropped");
            } catch (Exception e) {
              return false;
            }
          },
          Duration.ofSeconds(5),
          "the rollback's decision logged");
      String decisions = call("GET", "/api/v1/decisions?cluster=reviews", null, "").body();
      assertThat(decisions)
          .as("decisions")
          .contains("DECISION_TRIGGER_ROLLOUT", "\"triggerRef\":\"rollout:reviews/v2\"")
          .contains(
              "rollout reviews/v2 started", "ROLLED_BACK: rolled back: canary health dropped");
    } finally {
      pipeline.put("reviews", REVIEWS_CANARY, HealthState.HEALTH_STATE_HEALTHY);
    }
  }

  @Test
  void aRolloutFromConfiguration_isRolledBackByAnAlertNamingItsCanary_thenRemoved()
      throws Exception {
    try (RouteWatch watch = new RouteWatch("ratings")) {
      watch.awaitCanary(w -> w >= 10, Duration.ofSeconds(15));
      assertThat(call("GET", "/api/v1/rollouts/ratings/v2", null, "").body())
          .as("declared in configuration, progressing")
          .contains("\"state\":\"PROGRESSING\"", "\"stepPercent\":1");
      String alert =
          """
          {"version":"4","status":"firing","receiver":"xds","groupLabels":{},"commonLabels":{},
           "commonAnnotations":{},"externalURL":"http://am","groupKey":"{}","truncatedAlerts":0,
           "alerts":[{"status":"firing","labels":{"alertname":"MeshCanaryErrorRateHigh",
             "destination_service_name":"ratings","destination_version":"v2"},
             "annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z",
             "generatorURL":"http://prom","fingerprint":"fp-ratings"}]}
          """;
      HttpResponse<String> posted = call("POST", "/api/v1/alerts", "Bearer " + TOKEN, alert);
      long sentAt = System.nanoTime();
      assertThat(posted.body()).as("alert answer").contains("\"rolledBack\":[\"ratings/v2\"]");
      long rolledBack = watch.awaitCanary(w -> w == 0, Duration.ofSeconds(10));
      logger.info(
          "alert -> rollback at the client {} ms",
          TimeUnit.NANOSECONDS.toMillis(rolledBack - sentAt));
      assertThat(call("GET", "/api/v1/rollouts/ratings/v2", null, "").body())
          .as("rolled back by the alert")
          .contains("\"state\":\"ROLLED_BACK\"", "alert MeshCanaryErrorRateHigh firing");

      assertThat(call("DELETE", "/api/v1/rollouts/ratings/v2", null, "").statusCode())
          .as("delete without the token")
          .isEqualTo(401);
      HttpResponse<String> kept =
          call("DELETE", "/api/v1/rollouts/ratings/v2", "Bearer " + TOKEN, "");
      assertThat(kept.statusCode())
          .as("a finished rollout that configuration declares: %s", kept.body())
          .isEqualTo(409);
      assertThat(kept.body()).as("why").contains("declared in meshpulse.xds.rollouts");
      assertThat(call("GET", "/api/v1/rollouts/ratings/v2", null, "").body())
          .as("still listed, rolled back")
          .contains("\"state\":\"ROLLED_BACK\"");
    }
  }
}
