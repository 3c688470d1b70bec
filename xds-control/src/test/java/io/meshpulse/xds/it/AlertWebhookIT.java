package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertWebhookIT {
  static final String TOKEN = "s3cret-token";
  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static Path topology;
  @TempDir static Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "alerts-it",
            "meshpulse.xds.alerts.token=" + TOKEN,
            "meshpulse.xds.api.max-request-size=64KB",
            "meshpulse.xds.alerts.actions[0].match.alertname=MeshCanaryErrorRateHigh",
            "meshpulse.xds.alerts.actions[0].shift-to=v1",
            "meshpulse.xds.alerts.actions[0].step=50",
            "meshpulse.xds.alerts.actions[0].step-interval=200ms",
            "meshpulse.xds.alerts.actions[0].restore-step=50",
            "meshpulse.xds.alerts.actions[0].restore-interval=200ms");
    app.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(app, kafka);
  }

  static String payload(String status, String fingerprint) {
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"MeshCanaryErrorRateHigh\\"}","status":"%s",
         "receiver":"meshpulse-xds-control","groupLabels":{},"commonLabels":{},
         "commonAnnotations":{},"externalURL":"http://am","truncatedAlerts":0,
         "alerts":[{"status":"%s","labels":{"alertname":"MeshCanaryErrorRateHigh",
           "destination_service_name":"reviews","destination_version":"v2",
           "meshpulse_action":"shift"},"annotations":{"summary":"canary errors"},
           "startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://prom","fingerprint":"%s"}]}
        """
        .formatted(status, status, fingerprint);
  }

  HttpResponse<String> post(String auth, String body) throws Exception {
    return post(app, auth, body);
  }

  HttpResponse<String> post(XdsControlHarness target, String auth, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + target.httpPort() + "/api/v1/alerts"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String v2Weight() throws Exception {
    Matcher m =
        Pattern.compile("\"subsetWeights\":\\{[^}]*\"v2\":(\\d+)")
            .matcher(app.get("/api/v1/clusters").body());
    return m.find() ? m.group(1) : "absent";
  }

  @Test
  void requestsWithoutOrWithAWrongToken_areRefusedWith401() throws Exception {
    assertThat(post(null, payload("firing", "x")).statusCode()).as("no token").isEqualTo(401);
    assertThat(post("Bearer wrong", payload("firing", "x")).statusCode())
        .as("wrong token")
        .isEqualTo(401);
    assertThat(post("Basic " + TOKEN, payload("firing", "x")).statusCode())
        .as("not a bearer token")
        .isEqualTo(401);
    assertThat(post(null, "{broken").statusCode()).as("malformed, no token").isEqualTo(401);
  }

  @Test
  void malformedPayloads_areRefusedWith400() throws Exception {
    String auth = "Bearer " + TOKEN;
    assertThat(post(auth, "{broken").statusCode()).as("not JSON").isEqualTo(400);
    assertThat(post(auth, "{\"version\":\"3\",\"alerts\":[]}").statusCode())
        .as("old version")
        .isEqualTo(400);
    assertThat(post(auth, "{\"version\":{},\"alerts\":[]}").statusCode())
        .as("version not a value")
        .isEqualTo(400);
    assertThat(post(auth, "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\"}]}").body())
        .as("alert without fingerprint")
        .contains("alerts[0].fingerprint");
    assertThat(post(auth, payload("pending", "fp")).statusCode()).as("bad status").isEqualTo(400);
  }

  @Test
  void aFiringAlert_shiftsTheCanaryAway_once_andItsResolutionRestoresIt() throws Exception {
    String auth = "Bearer " + TOKEN;
    XdsControlHarness.await(
        () -> call(() -> v2Weight()).equals("500"), Duration.ofSeconds(10), "v2 at 500");
    HttpResponse<String> firing = post(auth, payload("firing", "fp-canary"));
    assertThat(firing.statusCode()).as("firing accepted").isEqualTo(200);
    assertThat(firing.body()).as("outcome").contains("\"started\":1");
    assertThat(post(auth, payload("firing", "fp-canary")).body())
        .as("repeat")
        .contains("\"unchanged\":1");
    XdsControlHarness.await(
        () -> call(() -> v2Weight()).equals("0"), Duration.ofSeconds(10), "v2 shifted to 0");
    String decisions = app.get("/api/v1/decisions?cluster=reviews").body();
    assertThat(decisions.split("\"triggerRef\":\"fp-canary\"", -1).length - 1)
        .as("alert decisions: the firing's record, then 1000→500→0 for v2, whatever the repeats")
        .isEqualTo(3);
    assertThat(decisions).as("the firing recorded").contains("\"alertShifts\"");
    assertThat(decisions).as("decision trigger").contains("DECISION_TRIGGER_ALERT");

    assertThat(post(auth, payload("resolved", "fp-canary")).body())
        .as("resolved")
        .contains("\"restoring\":1");
    XdsControlHarness.await(
        () -> call(() -> v2Weight()).equals("500"), Duration.ofSeconds(10), "v2 restored");
    String after = app.get("/api/v1/decisions?cluster=reviews").body();
    assertThat(after.split("\"triggerRef\":\"fp-canary\"", -1).length - 1)
        .as("alert decisions after the restore (firing, two down, resolution, two up)")
        .isEqualTo(6);
    assertThat(after).as("the resolution recorded").contains("\"resolved\":true");
  }

  @Test
  void anAlertNamingASubsetTheTopologyLacks_isIgnored() throws Exception {
    HttpResponse<String> r =
        post(
            "Bearer " + TOKEN,
            payload("firing", "fp-nowhere")
                .replace("\"destination_version\":\"v2\"", "\"destination_version\":\"v9\""));
    assertThat(r.statusCode()).as("accepted").isEqualTo(200);
    assertThat(r.body()).as("outcome").contains("\"ignored\":1").contains("\"started\":[]");
    assertThat(app.get("/api/v1/decisions?cluster=reviews").body())
        .as("no shift of nothing recorded")
        .doesNotContain("fp-nowhere");
  }

  @Test
  void aBodyOverTheLimit_isRefusedWith413_declaredOrChunked_andTheWebhookKeepsServing()
      throws Exception {
    String auth = "Bearer " + TOKEN;
    String padding = " ".repeat(100 * 1024);
    String big = payload("firing", "fp-big").replace("\"alerts\"", padding + "\"alerts\"");
    HttpResponse<String> declared = post(auth, big);
    assertThat(declared.statusCode()).as("declared length over 64KB").isEqualTo(413);
    assertThat(declared.body()).as("message").contains("meshpulse.xds.api.max-request-size");
    assertThat(chunked(auth, big).statusCode()).as("chunked, over 64KB").isEqualTo(413);
    HttpResponse<String> small = chunked(auth, payload("resolved", "fp-small"));
    assertThat(small.statusCode()).as("chunked, small: read from memory").isEqualTo(200);
    assertThat(small.body()).as("its alert was parsed").contains("\"alerts\":1");
    assertThat(app.get("/actuator/prometheus").body())
        .as("refusals counted")
        .containsPattern("meshpulse_alerts_rejected_total\\{[^}]*reason=\"too_large\"[^}]*} 2.0");
  }

  @Test
  void overrides_needTheToken_whenTheWebhookHasOne() throws Exception {
    String body = "{\"cluster\":\"reviews\",\"endpoint\":\"127.0.0.1:9101\",\"weight\":0}";
    assertThat(override("POST", null, body).statusCode()).as("POST, no token").isEqualTo(401);
    assertThat(override("POST", "Bearer wrong", body).statusCode())
        .as("POST, wrong token")
        .isEqualTo(401);
    assertThat(override("DELETE", null, null).statusCode()).as("DELETE, no token").isEqualTo(401);
    assertThat(override("POST", "Bearer " + TOKEN, body).statusCode())
        .as("with the token it reaches validation (weight 0 is invalid)")
        .isEqualTo(400);
    assertThat(override("DELETE", "Bearer " + TOKEN, null).statusCode())
        .as("with the token: no override to delete")
        .isEqualTo(404);
  }

  HttpResponse<String> chunked(String auth, String body) throws Exception {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/alerts"))
            .header("Content-Type", "application/json")
            .header("Authorization", auth)
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(bytes)))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> override(String method, String auth, String body) throws Exception {
    String query = method.equals("DELETE") ? "?cluster=reviews&endpoint=127.0.0.1:9101" : "";
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/overrides" + query))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends a request's head alone, announcing a body it never sends, and returns the status line of
   * the answer: a server that reads the body first answers nothing until the socket times out.
   */
  String headOnly(String method, String path, String... headers) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", app.httpPort())) {
      socket.setSoTimeout(5_000);
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      head.append("Host: 127.0.0.1\r\n");
      for (String h : headers) {
        head.append(h).append("\r\n");
      }
      head.append("\r\n");
      socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      try {
        String status = in.readLine();
        return status == null ? "closed without an answer" : status;
      } catch (java.net.SocketTimeoutException e) {
        return "no answer within 5 s";
      }
    }
  }

  @Test
  void aWriteWithoutTheToken_isRefusedBeforeItsBodyIsRead() throws Exception {
    assertThat(
            headOnly(
                "POST",
                "/api/v1/overrides",
                "Content-Type: application/json",
                "Content-Length: 60000"))
        .as("an override, body announced and never sent")
        .startsWith("HTTP/1.1 401");
    assertThat(
            headOnly(
                "POST",
                "/api/v1/alerts",
                "Content-Type: application/json",
                "Content-Length: 60000"))
        .as("the webhook")
        .startsWith("HTTP/1.1 401");
    assertThat(
            headOnly(
                "POST",
                "/api/v1/overrides",
                "Content-Type: application/json",
                "Transfer-Encoding: chunked"))
        .as("chunked, no chunk sent: the size limit would wait to measure it")
        .startsWith("HTTP/1.1 401");
    assertThat(app.get("/actuator/prometheus").body())
        .containsPattern("meshpulse_alerts_rejected_total\\{[^}]*reason=\"unauthorized\"");
  }

  @Test
  void aFormBodyOverTheLimit_isRefusedBeforeItIsRead_onAnyPath() throws Exception {
    for (String path : List.of("/api/v1/overrides", "/actuator/health")) {
      assertThat(
              headOnly(
                  "DELETE",
                  path,
                  "Authorization: Bearer " + TOKEN,
                  "Content-Type: application/x-www-form-urlencoded",
                  "Content-Length: 100000000"))
          .as("DELETE %s with a 100 MB form body", path)
          .startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void withoutAToken_theWebhookIsDisabled() throws Exception {
    try (XdsControlHarness plain =
        new XdsControlHarness(kafka, topology, dir.resolve("state2"), "alerts-it-off")) {
      HttpResponse<String> r = post(plain, "Bearer anything", payload("firing", "fp"));
      assertThat(r.statusCode()).as("status").isEqualTo(503);
      assertThat(r.body()).as("message").contains("meshpulse.xds.alerts.token");
    }
  }

  interface Call<T> {
    T get() throws Exception;
  }

  static <T> T call(Call<T> c) {
    try {
      return c.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
