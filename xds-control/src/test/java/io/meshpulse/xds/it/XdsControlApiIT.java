package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.HealthState;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XdsControlApiIT {
  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static XdsControlHarness.HealthProducer producer;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    Path topology =
        Topologies.write(
            dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
    app = new XdsControlHarness(kafka, topology, dir.resolve("state"), "api-it");
    app.awaitReady(Duration.ofSeconds(60));
    producer = new XdsControlHarness.HealthProducer(kafka);
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(producer, app, kafka);
  }

  @Test
  void clusters_listEveryEndpointWithWeightStatusScoreAndReasons() throws Exception {
    producer.send("reviews", "127.0.0.1", 9103, HealthState.HEALTH_STATE_UNHEALTHY, 0.05);
    XdsControlHarness.await(
        () -> body("/api/v1/clusters").contains("\"ejected\":true"),
        Duration.ofSeconds(10),
        "an ejection");
    String clusters = body("/api/v1/clusters");
    assertThat(clusters)
        .as("clusters JSON")
        .contains("\"cluster\":\"reviews\"", "127.0.0.1:9103", "\"score\":0.05", "UNHEALTHY");
    String decisions = body("/api/v1/decisions?cluster=reviews");
    assertThat(decisions)
        .as("decisions JSON")
        .contains("ENDPOINT_ACTION_EJECT", "\"xdsVersion\"", "test: HEALTH_STATE_UNHEALTHY");
    assertThat(body("/api/v1/decisions?cluster=ratings")).as("other cluster").isEqualTo("[]");

    // A second unhealthy endpoint of five: max-ejection-percent (20 %) keeps it in.
    producer.send("reviews", "127.0.0.1", 9102, HealthState.HEALTH_STATE_UNHEALTHY, 0.2);
    XdsControlHarness.await(
        () -> body("/api/v1/clusters").contains("\"ejectionRefused\":true"),
        Duration.ofSeconds(10),
        "a refused ejection");
    assertThat(body("/api/v1/clusters"))
        .as("the refused endpoint")
        .contains(
            "\"status\":\"DEGRADED\",\"healthStatus\":\"HEALTHY\",\"ejected\":false,"
                + "\"ejectionRefused\":true,\"score\":0.2,",
            "guardrail: ejection refused");
    assertThat(body("/actuator/prometheus"))
        .as("its gauge")
        .contains(
            "meshpulse_endpoint_ejection_refused{cluster=\"reviews\",endpoint=\"127.0.0.1:9102\","
                + "subset=\"v1\"} 1.0",
            "meshpulse_endpoint_ejection_refused{cluster=\"reviews\",endpoint=\"127.0.0.1:9103\","
                + "subset=\"v1\"} 0.0");
  }

  @Test
  void overrides_areValidated_applied_andAudited() throws Exception {
    HttpResponse<String> unknown =
        app.send(
            "POST",
            "/api/v1/overrides",
            "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:1\",\"weight\":5}");
    assertThat(unknown.statusCode()).as("unknown endpoint").isEqualTo(404);
    HttpResponse<String> both =
        app.send(
            "POST",
            "/api/v1/overrides",
            "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:9101\",\"weight\":5,\"eject\":true}");
    assertThat(both.statusCode()).as("weight and eject").isEqualTo(400);
    assertThat(app.send("POST", "/api/v1/overrides", "{not json").statusCode())
        .as("broken JSON")
        .isEqualTo(400);

    HttpResponse<String> ok =
        app.send(
            "POST",
            "/api/v1/overrides",
            "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:9101\",\"weight\":7,\"reason\":\"canary\"}");
    assertThat(ok.statusCode()).as("valid override").isEqualTo(201);
    XdsControlHarness.await(
        () ->
            body("/api/v1/clusters")
                .contains("\"endpoint\":\"127.0.0.1:9101\",\"subset\":\"v1\",\"weight\":7"),
        Duration.ofSeconds(5),
        "the pinned weight");
    assertThat(body("/api/v1/decisions?cluster=reviews"))
        .as("audit")
        .contains(
            "DECISION_TRIGGER_OVERRIDE",
            "override set: weight 7 for reviews/127.0.0.1:9101: canary");

    assertThat(
            app.send("DELETE", "/api/v1/overrides?cluster=reviews&endpoint=127.0.0.1:9101", "")
                .statusCode())
        .as("delete")
        .isEqualTo(200);
    assertThat(
            app.send("DELETE", "/api/v1/overrides?cluster=reviews&endpoint=127.0.0.1:9101", "")
                .statusCode())
        .as("delete again")
        .isEqualTo(404);
    // The audit decision is recorded on the control loop's thread, in order with its evaluations.
    XdsControlHarness.await(
        () ->
            body("/api/v1/decisions?cluster=reviews")
                .contains("override removed for reviews/127.0.0.1:9101"),
        Duration.ofSeconds(5),
        "the removal audited");
  }

  @Test
  void anOverrideOnAnEndpointThatLeftTheTopology_isListed_andCanBeRemoved() throws Exception {
    String ejected = "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:9105\",\"eject\":true}";
    assertThat(app.send("POST", "/api/v1/overrides", ejected).statusCode())
        .as("eject 9105")
        .isEqualTo(201);
    assertThat(body("/api/v1/overrides"))
        .as("listed")
        .contains("\"endpoint\":\"reviews/127.0.0.1:9105\",\"action\":\"eject\"")
        .contains("\"inTopology\":true");

    Topologies.write(dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104));
    try {
      XdsControlHarness.await(
          () -> body("/api/v1/overrides").contains("\"inTopology\":false"),
          Duration.ofSeconds(20),
          "9105 gone from the topology");
      assertThat(
              app.send("DELETE", "/api/v1/overrides?cluster=reviews&endpoint=127.0.0.1:9105", "")
                  .statusCode())
          .as("removed although the topology no longer has it")
          .isEqualTo(200);
      assertThat(body("/api/v1/overrides")).as("none left").isEqualTo("[]");
    } finally {
      Topologies.write(
          dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
      XdsControlHarness.await(
          () -> body("/api/v1/clusters").contains("127.0.0.1:9105"),
          Duration.ofSeconds(20),
          "9105 back");
    }
  }

  @Test
  void malformedHealthRecords_areCountedAndSkipped() throws Exception {
    producer.sendRaw(
        Topics.ENDPOINT_HEALTH, "reviews/127.0.0.1:9104", new byte[] {(byte) 0xff, 0x01, 0x02});
    producer.send("reviews", "127.0.0.1", 9105, HealthState.HEALTH_STATE_HEALTHY, 0.99);
    XdsControlHarness.await(
        () -> app.runtime().health().malformedRecords() >= 1,
        Duration.ofSeconds(10),
        "the malformed record counted");
    XdsControlHarness.await(
        () -> body("/api/v1/clusters").contains("\"score\":0.99"),
        Duration.ofSeconds(10),
        "the next good record");
    assertThat(body("/actuator/prometheus"))
        .as("metric")
        .contains("meshpulse_health_records_malformed_total 1.0");
  }

  @Test
  void actuator_exposesReadinessAndEveryMeshpulseMetric() throws Exception {
    assertThat(app.get("/actuator/health/readiness").statusCode()).as("readiness").isEqualTo(200);
    String metrics = body("/actuator/prometheus");
    assertThat(metrics)
        .as("prometheus")
        .contains(
            "meshpulse_endpoint_weight{",
            "meshpulse_endpoint_ejected{",
            "meshpulse_xds_push_seconds_count",
            "meshpulse_xds_connected_proxies",
            "meshpulse_xds_nacks_total");
  }

  private static String body(String path) {
    try {
      return app.get(path).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
