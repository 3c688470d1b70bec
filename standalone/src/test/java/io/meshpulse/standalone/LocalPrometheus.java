package io.meshpulse.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshpulse.testing.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A real Prometheus for a test: started on 127.0.0.1 with its data in a temporary directory, and
 * the few calls of its HTTP API the tests make. Also starts the other tools the tests need.
 */
final class LocalPrometheus implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private LocalPrometheus(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code prometheus} with {@code config} written to {@code dir}; waits until ready. */
  static LocalPrometheus start(Path dir, String config, String... extraArgs) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("prometheus.yml"), config);
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Tools.require("prometheus").toString());
    command.add("--config.file=" + dir.resolve("prometheus.yml"));
    command.add("--storage.tsdb.path=" + dir.resolve("data"));
    command.add("--web.listen-address=127.0.0.1:" + port);
    command.addAll(List.of(extraArgs));
    LocalPrometheus prometheus = new LocalPrometheus(launch(dir, command), port);
    prometheus.awaitReady(Duration.ofSeconds(20));
    return prometheus;
  }

  /** Starts a program in {@code dir}, its output to {@code dir/log.txt}. */
  static Process launch(Path dir, List<String> command) throws IOException {
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("log.txt").toFile())
        .start();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("prometheus exited with " + process.exitValue());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url("/-/ready"))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("prometheus not ready within " + timeout);
  }

  /** Waits until {@code count} scrape targets are up. */
  void awaitTargetsUp(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode targets = null;
    while (System.nanoTime() < deadline) {
      targets = get("/api/v1/targets").path("data").path("activeTargets");
      int up = 0;
      for (JsonNode t : targets) {
        up += "up".equals(t.path("health").asText()) ? 1 : 0;
      }
      if (up >= count) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(count + " targets not up within " + timeout + ": " + targets);
  }

  /** An instant query; the {@code data.result} array. */
  JsonNode query(String promql, Instant time) throws Exception {
    return data("/api/v1/query", Map.of("query", promql, "time", seconds(time)), promql);
  }

  /** A range query; the {@code data.result} array (one element per series). */
  JsonNode queryRange(String promql, Instant start, Instant end, Duration step) throws Exception {
    return data(
        "/api/v1/query_range",
        Map.of(
            "query",
            promql,
            "start",
            seconds(start),
            "end",
            seconds(end),
            "step",
            step.toMillis() + "ms"),
        promql);
  }

  /** Values of a label on the series of {@code match}, sorted. */
  List<String> labelValues(String label, String match, Instant start, Instant end)
      throws Exception {
    JsonNode values =
        get(
            "/api/v1/label/"
                + label
                + "/values?"
                + form(Map.of("match[]", match, "start", seconds(start), "end", seconds(end))));
    List<String> out = new ArrayList<>();
    values.path("data").forEach(v -> out.add(v.asText()));
    return out;
  }

  /** Every metric name Prometheus holds, scraped or recorded. */
  TreeSet<String> metricNames() throws Exception {
    TreeSet<String> names = new TreeSet<>();
    get("/api/v1/label/__name__/values").path("data").forEach(v -> names.add(v.asText()));
    return names;
  }

  /** The loaded rule groups ({@code data.groups}). */
  JsonNode rules() throws Exception {
    return get("/api/v1/rules").path("data").path("groups");
  }

  JsonNode get(String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url(pathAndQuery))).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private JsonNode data(String path, Map<String, String> params, String promql) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(params)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new IllegalArgumentException("query failed: " + promql + " -> " + r.body());
    }
    return body.path("data").path("result");
  }

  private static String seconds(Instant t) {
    return String.format(Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0);
  }

  private static String form(Map<String, String> params) {
    return params.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
