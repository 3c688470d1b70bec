package io.meshpulse.bench.stream;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Reads the job's own counters from Flink's Prometheus reporter (the production metrics path), so
 * the benchmark sees what the job read without touching it.
 */
final class JobMetricsScrape {
  private static final String PREFIX = "flink_taskmanager_job_task_operator_meshpulse_";

  private final URI uri;

  JobMetricsScrape(int port) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/metrics");
  }

  /** The sum over subtasks of counter {@code meshpulse_<name>}; 0 when not (yet) exported. */
  long sum(String name) {
    return sum(name, null);
  }

  /** The same, only over the subtasks of the job named {@code jobName} (null: every job). */
  long sum(String name, String jobName) {
    String metric = PREFIX + name;
    // Flink's reporter may write label values with characters outside [A-Za-z0-9_:] as '_'.
    String label = jobName == null ? null : "job_name=\"" + jobName + "\"";
    String escaped =
        jobName == null ? null : "job_name=\"" + jobName.replaceAll("[^A-Za-z0-9_:]", "_") + "\"";
    long total = 0;
    for (String line : scrape().split("\n")) {
      if (line.startsWith(metric)
          && line.length() > metric.length()
          && (line.charAt(metric.length()) == '{' || line.charAt(metric.length()) == ' ')
          && (label == null || line.contains(label) || line.contains(escaped))) {
        total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private String scrape() {
    try {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(1_000);
      c.setReadTimeout(5_000);
      try (InputStream in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return "";
    }
  }
}
