package io.meshpulse.xds.alertmanager;

import io.meshpulse.xds.shift.ActiveAlert;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alertmanager's API v2 over HTTP: {@code GET <base>/api/v2/alerts?active=true&silenced=true&
 * inhibited=true}, each alert's {@code fingerprint}, {@code labels}, {@code startsAt} and {@code
 * status.state}; and {@code GET <base>/api/v2/status} for its {@code uptime}.
 */
public final class HttpAlertmanagerApi implements AlertmanagerApi {
  /** How long to wait for a connection. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** How long to wait for the whole answer. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private static final String PATH = "/api/v2/alerts?active=true&silenced=true&inhibited=true";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String name;
  private final URI alerts;
  private final URI status;
  private final HttpClient http;

  /**
   * @param base the Alertmanager's base URL, with its route prefix if it has one
   * @param http a client built with {@link #client()}
   */
  public HttpAlertmanagerApi(URI base, HttpClient http) {
    String text = base.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    this.name = text;
    this.alerts = URI.create(text + PATH);
    this.status = URI.create(text + "/api/v2/status");
    this.http = http;
  }

  /** A client with the connect timeout, shared by the members of one cluster. */
  public static HttpClient client() {
    return HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<ActiveAlert> activeAlerts() throws IOException, InterruptedException {
    return parse(get(alerts));
  }

  @Override
  public Optional<Instant> startedAt() throws IOException, InterruptedException {
    return Optional.of(parseUptime(get(status)));
  }

  private String get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      String body = response.body();
      throw new IOException(
          "HTTP "
              + response.statusCode()
              + " from "
              + uri.getPath()
              + ": "
              + (body.length() > 200 ? body.substring(0, 200) + "..." : body).strip());
    }
    return response.body();
  }

  /**
   * The {@code uptime} of a status answer: when the Alertmanager started.
   *
   * @throws IOException naming what is malformed
   */
  static Instant parseUptime(String body) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new IOException("the status answer is not JSON: " + e.getOriginalMessage(), e);
    }
    String uptime = root == null ? "" : root.path("uptime").asString("");
    try {
      return OffsetDateTime.parse(uptime).toInstant();
    } catch (DateTimeParseException e) {
      throw new IOException("the status answer's uptime is not a timestamp: " + uptime, e);
    }
  }

  /**
   * The alerts of an answer; those in state {@code suppressed} (silenced or inhibited) flagged.
   *
   * @throws IOException naming what is malformed
   */
  static List<ActiveAlert> parse(String body) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new IOException("the answer is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IOException("the answer is not a JSON array of alerts");
    }
    List<ActiveAlert> result = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode a = root.get(i);
      String where = "alerts[" + i + "]";
      if (a == null || !a.isObject()) {
        throw new IOException(where + " is not an object");
      }
      boolean suppressed = a.path("status").path("state").asString("").equals("suppressed");
      String fingerprint = a.path("fingerprint").asString("");
      if (fingerprint.isBlank()) {
        throw new IOException(where + ".fingerprint is missing");
      }
      JsonNode labels = a.get("labels");
      if (labels == null || !labels.isObject()) {
        throw new IOException(where + ".labels is not an object");
      }
      Map<String, String> map = new LinkedHashMap<>();
      for (var e : labels.properties()) {
        map.put(e.getKey(), e.getValue().asString(""));
      }
      try {
        result.add(
            new ActiveAlert(
                fingerprint,
                map,
                OffsetDateTime.parse(a.path("startsAt").asString("")).toInstant(),
                suppressed));
      } catch (DateTimeParseException e) {
        throw new IOException(where + ".startsAt is not a timestamp: " + e.getParsedString(), e);
      }
    }
    return result;
  }
}
