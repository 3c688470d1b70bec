package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook token rotated through {@code meshpulse.xds.alerts.token-file} while xds-control runs:
 * add the new token, move the client to it, remove the old one; no restart, no refused request.
 */
class AlertTokenRotationIT {
  static final String OLD = "old-token-0123456789";
  static final String NEW = "new-token-9876543210";
  static final Duration SEEN_WITHIN = Duration.ofSeconds(10);
  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static Path topology;
  static Path tokenFile;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
    tokenFile = dir.resolve("alerts").resolve("token");
    Files.createDirectories(tokenFile.getParent());
    replace(OLD + "\n");
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "token-rotation-it",
            "meshpulse.xds.alerts.token-file=" + tokenFile);
    app.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(app, kafka);
  }

  /** Replaces the file in one step, as the kubelet does, so no request sees it half-written. */
  static void replace(String content) throws IOException {
    Path tmp = tokenFile.resolveSibling("token.tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, tokenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** An alert no action matches: accepted (and ignored) once the token is. */
  static final String PAYLOAD =
      """
      {"version":"4","status":"firing","alerts":[{"status":"firing",
       "labels":{"alertname":"SomethingElse"},"fingerprint":"fp-rotation"}]}
      """;

  static int post(String token) {
    try {
      return app.send("POST", "/api/v1/alerts", PAYLOAD, "Bearer " + token).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String failuresMetric() throws Exception {
    return metric("meshpulse_xds_alerts_token_reload_failures_total");
  }

  static String metric(String name) throws Exception {
    return app.get("/actuator/prometheus")
        .body()
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .findFirst()
        .orElse("absent");
  }

  @Test
  void aTokenRotatedInTheFile_takesEffectWithoutARestart() throws Exception {
    assertThat(post(OLD)).as("old token at start").isEqualTo(200);
    assertThat(post(NEW)).as("new token before it is added").isEqualTo(401);
    assertThat(failuresMetric()).as("failures counter at start").endsWith(" 0.0");
    assertThat(metric("meshpulse_xds_alerts_token_file_rejected"))
        .as("rejected gauge at start")
        .endsWith(" 0.0");

    replace(OLD + "\n" + NEW + "\n");
    XdsControlHarness.await(() -> post(NEW) == 200, SEEN_WITHIN, "the new token accepted");
    assertThat(post(OLD)).as("old token while both are in the file").isEqualTo(200);

    replace("\n" + NEW + "\n");
    XdsControlHarness.await(() -> post(OLD) == 401, SEEN_WITHIN, "the old token refused");
    assertThat(post(NEW)).as("new token alone").isEqualTo(200);
    HttpResponse<String> override =
        app.send(
            "DELETE",
            "/api/v1/overrides?cluster=reviews&endpoint=127.0.0.1:9101",
            "",
            "Bearer " + OLD);
    assertThat(override.statusCode()).as("the write API refuses the old token too").isEqualTo(401);

    replace("  \n");
    Thread.sleep(2 * 1000 + 200);
    assertThat(post(NEW)).as("a blank file keeps the last token").isEqualTo(200);
    assertThat(post(OLD)).as("and only it").isEqualTo(401);
    assertThat(failuresMetric()).as("failures counter").endsWith(" 1.0");
    assertThat(metric("meshpulse_xds_alerts_token_file_rejected"))
        .as("rejected gauge")
        .endsWith(" 1.0");
    replace(NEW + "\n");
  }

  @Test
  void aMissingTokenFile_failsTheStart_namingTheProperty() {
    assertThatThrownBy(
            () ->
                new XdsControlHarness(
                    kafka,
                    topology,
                    dir.resolve("state-missing"),
                    "token-rotation-it-missing",
                    "meshpulse.xds.alerts.token-file=" + dir.resolve("no-such-token")))
        .as("the cause of the failed start")
        .hasStackTraceContaining(
            "IllegalStateException: meshpulse.xds.alerts.token-file: "
                + dir.resolve("no-such-token")
                + " does not exist");
  }

  @Test
  void aTokenAndATokenFile_failTheStart_namingBoth() {
    assertThatThrownBy(
            () ->
                new XdsControlHarness(
                    kafka,
                    topology,
                    dir.resolve("state-both"),
                    "token-rotation-it-both",
                    "meshpulse.xds.alerts.token=" + OLD,
                    "meshpulse.xds.alerts.token-file=" + tokenFile))
        .rootCause()
        .hasMessageContaining("meshpulse.xds.alerts.token and meshpulse.xds.alerts.token-file");
  }
}
