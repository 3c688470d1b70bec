package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.testing.RequiresTool;
import io.meshpulse.testing.Tools;
import io.meshpulse.xds.policy.RouteShift;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xds-control against a real Alertmanager's API (no webhook): an alert already firing in
 * Alertmanager when xds-control starts drains its subset as far as it would have been drained since
 * its {@code startsAt}, and once Alertmanager no longer lists it the subset is restored. The first
 * configured member is down, as a dead member of an HA cluster would be.
 */
@RequiresTool("prometheus-alertmanager")
class AlertReconcileIT {
  static final String LABELS =
      """
      {"alertname":"MeshCanaryErrorRateHigh","destination_service_name":"reviews",
       "destination_version":"v2","meshpulse_action":"shift"}""";
  static final HttpClient http = HttpClient.newHttpClient();
  @TempDir static Path dir;
  static Process alertmanager;
  static String alertmanagerUrl;
  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  // Two and a half step intervals ago: three 25 % steps taken, 25 % left.
  static final Instant STARTS_AT =
      Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(150));

  @BeforeAll
  static void start() throws Exception {
    Path am = Files.createDirectories(dir.resolve("alertmanager"));
    Files.writeString(
        am.resolve("alertmanager.yml"),
        """
        route:
          receiver: nowhere
        receivers:
          - name: nowhere
        """);
    int port = freePort();
    alertmanagerUrl = "http://127.0.0.1:" + port;
    alertmanager =
        new ProcessBuilder(
                Tools.require("prometheus-alertmanager").toString(),
                "--config.file=" + am.resolve("alertmanager.yml"),
                "--storage.path=" + am.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
            .directory(am.toFile())
            .redirectErrorStream(true)
            .redirectOutput(am.resolve("log.txt").toFile())
            .start();
    XdsControlHarness.await(
        () -> ready(alertmanagerUrl + "/-/ready"), Duration.ofSeconds(15), "alertmanager ready");
    assertThat(postAlert(null).statusCode()).as("alert accepted by alertmanager").isEqualTo(200);

    kafka = XdsControlHarness.startKafka();
    Path topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "alert-reconcile-it",
            "meshpulse.xds.alerts.alertmanager-url=http://127.0.0.1:"
                + freePort()
                + ","
                + alertmanagerUrl,
            "meshpulse.xds.alerts.reconcile-interval=1s",
            // Alertmanager has only just started: its uptime, read from /api/v2/status, must
            // be past this before an answer may resolve.
            "meshpulse.xds.alerts.alertmanager-startup-grace=2s",
            "meshpulse.xds.alerts.actions[0].match.alertname=MeshCanaryErrorRateHigh",
            "meshpulse.xds.alerts.actions[0].shift-to=v1",
            "meshpulse.xds.alerts.actions[0].step=25",
            "meshpulse.xds.alerts.actions[0].step-interval=1h",
            "meshpulse.xds.alerts.actions[0].restore-step=50",
            "meshpulse.xds.alerts.actions[0].restore-interval=200ms");
    app.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.waitFor();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean ready(String url) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Posts the alert to Alertmanager: firing, or resolved at {@code endsAt}. */
  static HttpResponse<String> postAlert(Instant endsAt) throws Exception {
    String body =
        "[{\"labels\":%s,\"startsAt\":\"%s\"%s}]"
            .formatted(LABELS, STARTS_AT, endsAt == null ? "" : ",\"endsAt\":\"" + endsAt + "\"");
    return http.send(
        HttpRequest.newBuilder(URI.create(alertmanagerUrl + "/api/v2/alerts"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String fingerprint() throws Exception {
    String alerts =
        http.send(
                HttpRequest.newBuilder(URI.create(alertmanagerUrl + "/api/v2/alerts")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m = Pattern.compile("\"fingerprint\":\"([0-9a-f]+)\"").matcher(alerts);
    assertThat(m.find()).as("a fingerprint in %s", alerts).isTrue();
    return m.group(1);
  }

  static String v2Weight() {
    try {
      Matcher m =
          Pattern.compile("\"subsetWeights\":\\{[^}]*\"v2\":(\\d+)")
              .matcher(app.get("/api/v1/clusters").body());
      return m.find() ? m.group(1) : "absent";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anAlertFiringBeforeTheStart_drainsWhereItWouldBe_andItsEndInAlertmanagerRestores()
      throws Exception {
    String fingerprint = fingerprint();
    XdsControlHarness.await(
        () -> v2Weight().equals("125"), Duration.ofSeconds(10), "v2 at 25 % of its 500");
    assertThat(app.runtime().alertShifts().current())
        .as("the alert's shift, by Alertmanager's fingerprint")
        .extracting(RouteShift::ref, RouteShift::remainingPercent, RouteShift::reason)
        .containsExactly(tuple(fingerprint, 25, "alert MeshCanaryErrorRateHigh firing"));
    // Whether the first evaluation already ran with the shift (no decision) or before it (one
    // decision, 500 -> 125), v2 never had 75 % or 50 % of its weight.
    assertThat(app.get("/api/v1/decisions?cluster=reviews").body())
        .as("no step of 25 or 50 %% on the way: the shift starts where it would be by now")
        .doesNotContain("\"newWeight\":375")
        .doesNotContain("\"newWeight\":250");

    assertThat(postAlert(Instant.now().minusSeconds(1)).statusCode())
        .as("alert ended in alertmanager")
        .isEqualTo(200);
    XdsControlHarness.await(
        () -> v2Weight().equals("500"), Duration.ofSeconds(15), "v2 restored to 500");
    XdsControlHarness.await(
        () -> app.runtime().alertShifts().current().isEmpty(),
        Duration.ofSeconds(5),
        "the restored shift forgotten");
    assertThat(app.get("/actuator/prometheus").body())
        .as("reconciliations counted")
        .containsPattern("meshpulse_alerts_reconciled_total\\{[^}]*change=\"started\"[^}]*} 1.0")
        .containsPattern("meshpulse_alerts_reconciled_total\\{[^}]*change=\"resolved\"[^}]*} 1.0")
        .containsPattern("meshpulse_alerts_reconcile_total\\{[^}]*outcome=\"failure\"[^}]*} 0.0");
  }
}
