package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.metrics.v3.StreamMetricsMessage;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.prometheus.client.Metrics.MetricFamily;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A simulated fleet against a real gRPC ALS + MetricsService server that records what arrives. */
class TelemetryIT {
  static final long ONSET_OFFSET_MS = 1_500;

  @Test
  void everyCountedRecordArrives_inEnvoyStyleBatchesWithTheRightClustersAndFlags()
      throws Exception {
    try (RecordingCollector collector = RecordingCollector.start(0)) {
      Simulation sim =
          Simulation.start(
              SimulationOptions.builder(ScenarioLoader.builtIn("hard-failure"))
                  .collector(collector.target())
                  .duration(Duration.ofSeconds(4))
                  .faultAt(Duration.ofMillis(ONSET_OFFSET_MS))
                  .alsFlushInterval(
                      Duration.ofSeconds(1)) // long enough that the 16 KiB limit triggers sends
                  .metricsInterval(Duration.ofSeconds(1))
                  .build());
      SimulationReport report = sim.awaitCompletion(Duration.ofSeconds(30));

      assertThat(report.recordsSent()).as("records sent").isGreaterThan(5_000);
      assertThat(collector.alsEntries())
          .as("entries received = recordsSent")
          .isEqualTo(report.recordsSent());
      assertThat(report.recordsSent()).as("every request logged").isEqualTo(report.requests());
      assertThat(report.recordsDropped()).as("dropped").isZero();
      assertThat(report.recordsUnsent()).as("unsent").isZero();
      assertThat(
              report.endpoints().stream()
                  .mapToLong(e -> java.util.Arrays.stream(e.requestsPerSecond()).sum())
                  .sum())
          .as("per-second series add up")
          .isEqualTo(report.requests());

      assertThat(collector.alsStreams).as("one stream per proxy").hasSize(10);
      for (List<StreamAccessLogsMessage> stream : collector.alsStreams) {
        assertThat(stream.get(0).hasIdentifier()).as("identifier on the first message").isTrue();
        assertThat(stream.subList(1, stream.size()))
            .as("no identifier afterwards")
            .noneMatch(StreamAccessLogsMessage::hasIdentifier);
        assertThat(stream.get(0).getIdentifier().getNode().getId())
            .as("Istio-style node id")
            .matches(
                "sidecar~127\\.0\\.0\\.\\d+~(productpage|reviews)-v1-[a-z0-9]{5}-[a-z0-9]{5}\\.default~default\\.svc\\.cluster\\.local");
        var md = stream.get(0).getIdentifier().getNode().getMetadata().getFieldsMap();
        assertThat(md)
            .as("node metadata")
            .containsKeys("NAME", "NAMESPACE", "WORKLOAD_NAME", "LABELS");
        assertThat(md.get("LABELS").getStructValue().getFieldsMap())
            .as("labels")
            .containsKeys("app", "version");
      }
      List<StreamAccessLogsMessage> messages = collector.alsMessages();
      int max =
          messages.stream()
              .mapToInt(StreamAccessLogsMessage::getSerializedSize)
              .max()
              .orElseThrow();
      assertThat(max).as("largest message").isLessThanOrEqualTo(16 * 1024).isGreaterThan(14 * 1024);

      List<HTTPAccessLogEntry> entries =
          messages.stream().flatMap(m -> m.getHttpLogs().getLogEntryList().stream()).toList();
      for (List<StreamAccessLogsMessage> stream : collector.alsStreams) {
        // as Envoy logs them: when each request completes, so a slow request issued first comes
        // after the fast ones issued behind it (its end is start + duration, in whole ms)
        List<Long> ends =
            stream.stream()
                .flatMap(m -> m.getHttpLogs().getLogEntryList().stream())
                .map(TelemetryIT::endEpochMs)
                .toList();
        for (int i = 1; i < ends.size(); i++) {
          assertThat(ends.get(i))
              .as("entry %d of a stream ends no earlier than the one before it", i)
              .isGreaterThanOrEqualTo(ends.get(i - 1) - 1);
        }
      }
      assertThat(entries)
          .as("Istio cluster names")
          .allMatch(
              e ->
                  e.getCommonProperties()
                      .getUpstreamCluster()
                      .matches("outbound\\|908[0-2]\\|v[1-3]\\|(reviews|ratings|details)"));
      long onsetSeconds = (report.faultOnsetEpochMs()) / 1000;
      List<HTTPAccessLogEntry> toFaulty =
          entries.stream()
              .filter(
                  e ->
                      e.getCommonProperties()
                              .getUpstreamRemoteAddress()
                              .getSocketAddress()
                              .getPortValue()
                          == 9103)
              .toList();
      List<HTTPAccessLogEntry> afterOnset =
          toFaulty.stream().filter(e -> epochMs(e) >= report.faultOnsetEpochMs()).toList();
      assertThat(afterOnset)
          .as("requests to the failed endpoint after onset")
          .hasSizeGreaterThan(50);
      assertThat(afterOnset)
          .as("all UF 503s")
          .allMatch(
              e ->
                  e.getCommonProperties().getResponseFlags().getUpstreamConnectionFailure()
                      && e.getResponse().getResponseCode().getValue() == 503);
      assertThat(toFaulty.stream().filter(e -> epochMs(e) < report.faultOnsetEpochMs()))
          .as("no UF before onset")
          .noneMatch(
              e -> e.getCommonProperties().getResponseFlags().getUpstreamConnectionFailure());
      assertThat(
              entries.stream()
                  .filter(
                      e ->
                          e.getCommonProperties()
                                  .getUpstreamRemoteAddress()
                                  .getSocketAddress()
                                  .getPortValue()
                              != 9103))
          .as("no UF elsewhere")
          .noneMatch(
              e -> e.getCommonProperties().getResponseFlags().getUpstreamConnectionFailure());
      assertThat(
              entries.stream()
                  .filter(e -> e.getCommonProperties().getUpstreamCluster().endsWith("|ratings")))
          .as("gRPC entries carry grpc-status")
          .isNotEmpty()
          .allMatch(e -> e.getResponse().getResponseTrailersMap().containsKey("grpc-status"));
      assertThat(onsetSeconds).as("onset recorded").isPositive();

      SimulationReport.EndpointSeries faulty =
          report.endpoints().stream()
              .filter(e -> e.endpoint().equals("127.0.0.1:9103"))
              .findFirst()
              .orElseThrow();
      assertThat(faulty.faulty()).as("marked faulty").isTrue();
      int onsetSecond = (int) ((report.faultOnsetEpochMs() - report.startEpochMs()) / 1000);
      assertThat(faulty.errorsPerSecond()[onsetSecond + 1])
          .as("errors = requests in the second after onset")
          .isEqualTo(faulty.requestsPerSecond()[onsetSecond + 1])
          .isPositive();

      assertThat(collector.metricsStreams).as("metrics streams").hasSize(10);
      for (List<StreamMetricsMessage> stream : collector.metricsStreams) {
        assertThat(stream).as("metrics messages").hasSizeGreaterThanOrEqualTo(2);
        assertThat(stream.get(0).hasIdentifier()).as("metrics identifier first").isTrue();
        assertThat(stream.subList(1, stream.size()))
            .as("then none")
            .noneMatch(StreamMetricsMessage::hasIdentifier);
        long previous = -1;
        for (StreamMetricsMessage m : stream) {
          Map<String, MetricFamily> byName =
              m.getEnvoyMetricsList().stream()
                  .collect(Collectors.toMap(MetricFamily::getName, f -> f, (a, b) -> a));
          MetricFamily total =
              byName.values().stream()
                  .filter(f -> f.getName().endsWith(".upstream_rq_total"))
                  .findFirst()
                  .orElseThrow();
          assertThat(total.getName()).as("Envoy stat name").startsWith("cluster.outbound|");
          double sum =
              byName.values().stream()
                  .filter(f -> f.getName().endsWith(".upstream_rq_total"))
                  .mapToDouble(f -> f.getMetric(0).getCounter().getValue())
                  .sum();
          assertThat((long) sum)
              .as("cumulative counters never decrease")
              .isGreaterThanOrEqualTo(previous);
          previous = (long) sum;
        }
      }
    }
  }

  /** When the request completed: its start plus its duration. */
  static long endEpochMs(HTTPAccessLogEntry e) {
    var d = e.getCommonProperties().getDuration();
    return epochMs(e) + d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
  }

  static long epochMs(HTTPAccessLogEntry e) {
    var t = e.getCommonProperties().getStartTime();
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }

  @Test
  void collectorDownAtStart_entriesWaitInTheBufferAndArriveAfterReconnect() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Simulation sim =
        Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                .collector("127.0.0.1:" + port)
                .duration(Duration.ofSeconds(4))
                .build());
    Thread.sleep(1_500);
    try (RecordingCollector collector = RecordingCollector.start(port)) {
      SimulationReport report = sim.awaitCompletion(Duration.ofSeconds(30));
      assertThat(report.alsStreamFailures()).as("failed attempts while down").isPositive();
      assertThat(report.recordsDropped()).as("nothing dropped").isZero();
      assertThat(collector.alsEntries()).as("received = sent").isEqualTo(report.recordsSent());
      assertThat(report.recordsSent())
          .as("everything, including the first 1.5 s")
          .isEqualTo(report.requests());
      for (List<StreamAccessLogsMessage> stream : collector.alsStreams) {
        assertThat(stream.get(0).hasIdentifier()).as("identifier on each new stream").isTrue();
      }
    }
  }

  @Test
  void smallBuffer_dropsAndCountsWhatItCannotKeep() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Simulation sim =
        Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                .collector("127.0.0.1:" + port)
                .duration(Duration.ofSeconds(2))
                .alsBufferLimit(50)
                .build());
    SimulationReport report = sim.awaitCompletion(Duration.ofSeconds(30));
    assertThat(report.recordsSent()).as("nothing sent to a closed port").isZero();
    assertThat(report.recordsDropped() + report.recordsUnsent())
        .as("every request accounted for")
        .isEqualTo(report.requests());
    assertThat(report.recordsUnsent())
        .as("at most the buffer per proxy left")
        .isLessThanOrEqualTo(50L * 10);
  }

  @Test
  void collectorRestart_reopensStreamsWithAnIdentifier_andAccountsForEveryRecord()
      throws Exception {
    RecordingCollector first = RecordingCollector.start(0);
    int port = first.port();
    Simulation sim =
        Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                .collector("127.0.0.1:" + port)
                .duration(Duration.ofSeconds(5))
                .build());
    Thread.sleep(1_500);
    first.close();
    Thread.sleep(500);
    try (RecordingCollector second = RecordingCollector.start(port)) {
      SimulationReport report = sim.awaitCompletion(Duration.ofSeconds(30));
      long received = first.alsEntries() + second.alsEntries();
      assertThat(report.alsStreamFailures())
          .as("every proxy saw its stream fail")
          .isGreaterThanOrEqualTo(10);
      assertThat(second.alsStreams).as("new streams").hasSizeGreaterThanOrEqualTo(10);
      for (List<StreamAccessLogsMessage> stream : second.alsStreams) {
        assertThat(stream.get(0).hasIdentifier())
            .as("identifier again on each new stream")
            .isTrue();
      }
      assertThat(report.recordsSent() + report.recordsDropped() + report.recordsUnsent())
          .as("every request is sent, dropped or unsent")
          .isEqualTo(report.requests());
      assertThat(received)
          .as("received at most what was sent")
          .isLessThanOrEqualTo(report.recordsSent());
      assertThat(report.recordsSent() - received)
          .as("lost only what was in flight when the server died")
          .isLessThan(report.requests() / 20);
      assertThat(second.alsEntries()).as("traffic after the restart arrives").isGreaterThan(3_000);
    }
  }
}
