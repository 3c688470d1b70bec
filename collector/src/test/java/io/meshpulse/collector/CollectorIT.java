package io.meshpulse.collector;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static io.meshpulse.collector.EnvoyFixtures.stats;
import static io.meshpulse.collector.EnvoyFixtures.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.ProxyStats;
import io.meshpulse.model.v1.Reporter;
import io.meshpulse.model.v1.StatSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CollectorIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafka kafka;
  private static CollectorRunner collector;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(MeshTopics.all(3));
    collector = CollectorRunner.start(kafka.bootstrapServers());
    channel = collector.plaintextChannel();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    collector.close();
    kafka.close();
  }

  @Test
  void livenessAndReadiness_areServedWhereTheChartProbesThem() throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (String probe : List.of("liveness", "readiness")) {
      java.net.http.HttpResponse<String> response =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          "http://127.0.0.1:" + collector.httpPort() + "/actuator/health/" + probe))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("%s status", probe).isEqualTo(200);
      assertThat(response.body()).as("%s body", probe).contains("\"UP\"");
    }
  }

  @Test
  void entriesFromConcurrentStreams_arriveInKafkaExactlyOnceWithTheirContent() {
    int streams = 8;
    int batches = 25;
    int perBatch = 40;
    HTTPAccessLogEntry template = http("istio-outbound-grpc-entry");
    Set<String> sent = new HashSet<>();
    List<CompletableFuture<Status>> statuses = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      Node node =
          node("istio-sidecar-node").toBuilder()
              .setId("sidecar~10.44.2." + s + "~productpage-v1-6b746f74dc-p" + s + ".default~x")
              .build();
      List<StreamAccessLogsMessage> messages = new ArrayList<>();
      for (int b = 0; b < batches; b++) {
        List<HTTPAccessLogEntry> entries = new ArrayList<>();
        for (int e = 0; e < perBatch; e++) {
          String id = "concurrent-" + s + "-" + b + "-" + e;
          sent.add(id);
          entries.add(withRequestId(template, id));
        }
        messages.add(b == 0 ? EnvoyClient.first(node, entries) : EnvoyClient.http(entries));
      }
      statuses.add(EnvoyClient.sendAccessLogs(channel, messages));
    }
    statuses.forEach(
        status ->
            assertThat(EnvoyClient.await(status, TIMEOUT).isOk()).as("stream status").isTrue());

    List<AccessRecord> received =
        accessRecords(sent.size(), r -> r.getRequestId().startsWith("concurrent-"));

    assertThat(received).as("records in Kafka").hasSize(streams * batches * perBatch);
    assertThat(received.stream().map(AccessRecord::getRequestId).toList())
        .as("every entry exactly once")
        .containsExactlyInAnyOrderElementsOf(sent);
    AccessRecord one = received.get(0);
    assertThat(one.getCluster()).as("cluster").isEqualTo("reviews.default.svc.cluster.local");
    assertThat(one.getSubset()).as("subset").isEqualTo("v2");
    assertThat(one.getSource().getWorkload()).as("source workload").isEqualTo("productpage-v1");
    assertThat(one.getGrpcStatus()).as("grpc status").isEqualTo(14);
  }

  @Test
  void istioAndPlainEnvoyNodes_getTheirLabelsInKafkaAndInTheIstioMetrics() {
    send(
        EnvoyClient.first(
            node("istio-reviews-node"),
            List.of(withRequestId(http("istio-inbound-http-entry"), "labels-istio"))));
    send(
        EnvoyClient.first(
            node("plain-envoy-node"),
            List.of(withRequestId(http("plain-http-entry"), "labels-plain"))));

    List<AccessRecord> records = accessRecords(2, r -> r.getRequestId().startsWith("labels-"));

    AccessRecord istio = byRequestId(records, "labels-istio");
    AccessRecord plain = byRequestId(records, "labels-plain");
    assertThat(istio.getDestination().getWorkload()).as("istio workload").isEqualTo("reviews-v2");
    assertThat(istio.getDestination().getVersion()).as("istio version").isEqualTo("v2");
    assertThat(plain.getSource().getWorkload()).as("plain workload").isEqualTo("frontend");
    assertThat(plain.getCluster()).as("plain cluster").isEqualTo("catalog");

    String exposition = collector.scrape();
    assertThat(exposition)
        .as("istio_requests_total of the inbound istio request, labels sorted by name")
        .contains(
            "istio_requests_total{connection_security_policy=\"mutual_tls\","
                + "destination_app=\"reviews\",destination_canonical_revision=\"v2\","
                + "destination_canonical_service=\"reviews\",destination_cluster=\"Kubernetes\","
                + "destination_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-reviews\","
                + "destination_service=\"reviews.default.svc.cluster.local\","
                + "destination_service_name=\"reviews\","
                + "destination_service_namespace=\"default\",destination_version=\"v2\","
                + "destination_workload=\"reviews-v2\",destination_workload_namespace=\"default\","
                + "grpc_response_status=\"\",reporter=\"destination\",request_protocol=\"http\","
                + "response_code=\"503\",response_flags=\"-\","
                + "source_app=\"unknown\",source_canonical_revision=\"latest\","
                + "source_canonical_service=\"unknown\",source_cluster=\"unknown\","
                + "source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-productpage\","
                + "source_version=\"unknown\",source_workload=\"unknown\","
                + "source_workload_namespace=\"default\"} 1")
        .contains("response_flags=\"UH\"")
        .contains("source_workload=\"frontend\"");
  }

  @Test
  void prometheusExposition_hasIstiosExactNamesTypesAndBuckets() {
    send(
        EnvoyClient.first(
            node("istio-sidecar-node"),
            List.of(withRequestId(http("istio-outbound-grpc-entry"), "names-1"))));
    accessRecords(1, r -> r.getRequestId().equals("names-1"));

    String exposition = collector.scrape();

    assertThat(exposition)
        .as("types")
        .contains("# TYPE istio_requests_total counter")
        .contains("# TYPE istio_request_duration_milliseconds histogram")
        .contains("# TYPE istio_request_bytes histogram")
        .contains("# TYPE istio_response_bytes histogram")
        .doesNotContain("istio_requests_total_total")
        .doesNotContain("istio_request_duration_milliseconds_seconds");
    for (String histogram :
        List.of(
            "istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes")) {
      for (String le : EnvoyFixtures.ENVOY_DEFAULT_BUCKETS) {
        assertThat(exposition)
            .as("%s bucket le=%s (Envoy's default buckets)", histogram, le)
            .containsPattern(
                histogram + "_bucket\\{[^}]*le=\"" + java.util.regex.Pattern.quote(le) + "\"");
      }
    }
    assertThat(exposition).as("no Mixer-era size bucket").doesNotContain("le=\"1.0E7\"");
    assertThat(exposition)
        .as("the 13 ms request lands in the 25 ms bucket, not the 10 ms one")
        .containsPattern(
            "istio_request_duration_milliseconds_bucket\\{[^}]*destination_service=\"reviews.default.svc.cluster.local\"[^}]*le=\"10.0\"[^}]*\\}"
                + " 0")
        .containsPattern(
            "istio_request_duration_milliseconds_bucket\\{[^}]*destination_service=\"reviews.default.svc.cluster.local\"[^}]*le=\"25.0\"[^}]*\\}"
                + " [1-9]");
    assertThat(exposition)
        .as("self metrics")
        .contains("meshpulse_collector_entries_received_total{kind=\"http\"}")
        .contains("meshpulse_collector_records_produced_total{topic=\"mesh.access-records.v1\"}")
        .contains("meshpulse_collector_buffer_records")
        .contains("meshpulse_collector_streams_open{service=\"access_log\"}");
  }

  @Test
  void istioPeerMetadata_labelsTheSourceInKafkaAndTheIstioMetrics() {
    var unreadable = http("istio-inbound-http-entry-with-peer").toBuilder();
    // A series of its own: another test counts the series of this entry without metadata.
    unreadable.getResponseBuilder().getResponseCodeBuilder().setValue(204);
    unreadable
        .getCommonPropertiesBuilder()
        .putFilterStateObjects("downstream_peer", EnvoyFixtures.unreadablePeerMetadata());
    send(
        EnvoyClient.first(
            node("istio-reviews-node"),
            List.of(
                withRequestId(http("istio-inbound-http-entry-with-peer"), "peer-known"),
                withRequestId(unreadable.build(), "peer-unreadable"))));

    List<AccessRecord> records = accessRecords(2, r -> r.getRequestId().startsWith("peer-"));

    assertThat(byRequestId(records, "peer-known").getSource().getWorkload())
        .as("source workload of the record")
        .isEqualTo("productpage-v1");
    assertThat(byRequestId(records, "peer-unreadable").getSource().getWorkload())
        .as("source workload when the metadata is unreadable")
        .isEmpty();
    String exposition = collector.scrape();
    assertThat(exposition)
        .as("istio_requests_total with the source's labels")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"destination\")"
                + "(?=[^}]*source_workload=\"productpage-v1\")"
                + "(?=[^}]*source_canonical_service=\"productpage\")"
                + "(?=[^}]*source_canonical_revision=\"v1\")"
                + "(?=[^}]*source_app=\"productpage\")"
                + "(?=[^}]*source_version=\"v1\")"
                + "(?=[^}]*source_cluster=\"Kubernetes\")[^}]*\\} 1");
    assertThat(
            CollectorRunner.sample(
                exposition, "meshpulse_collector_peer_metadata_unreadable_total"))
        .as("the entry whose metadata was unreadable, counted")
        .isEqualTo(1.0);
  }

  @Test
  void waypointEntries_areReportedByTheWaypoint_inKafkaAndTheIstioMetrics() {
    send(
        EnvoyClient.first(
            node("istio-waypoint-node"),
            List.of(withRequestId(http("istio-waypoint-http-entry-with-peers"), "waypoint-1"))));

    AccessRecord record = accessRecords(1, r -> r.getRequestId().equals("waypoint-1")).get(0);

    assertThat(record.getReporter()).as("reporter").isEqualTo(Reporter.REPORTER_WAYPOINT);
    assertThat(record.getEndpoint().getAddress() + ":" + record.getEndpoint().getPort())
        .as("the pod the waypoint picked, behind its connect_originate listener")
        .isEqualTo("10.44.3.17:9080");
    assertThat(record.getSubset()).as("subset").isEqualTo("v2");
    assertThat(collector.scrape())
        .as("istio_requests_total as Istio's waypoints label it")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"waypoint\")"
                + "(?=[^}]*source_workload=\"productpage-v1\")"
                + "(?=[^}]*destination_workload=\"reviews-v2\")"
                + "(?=[^}]*destination_service_name=\"reviews\")"
                + "(?=[^}]*response_code=\"503\")[^}]*\\} 1");
  }

  @Test
  void tcpEntries_mapToRecordsAndTheIstioTcpMetrics() {
    send(EnvoyClient.tcp(node("istio-sidecar-node"), List.of(tcp("istio-outbound-tcp-entry"))));

    List<AccessRecord> records =
        accessRecords(1, r -> r.getCluster().equals("mongodb.storage.svc.cluster.local"));

    assertThat(records).as("tcp records").hasSize(1);
    assertThat(records.get(0).getRequestBytes()).as("received bytes").isEqualTo(4096);
    String exposition = collector.scrape();
    String labels =
        "{connection_security_policy=\"unknown\",destination_app=\"unknown\","
            + "destination_canonical_revision=\"latest\","
            + "destination_canonical_service=\"unknown\","
            + "destination_cluster=\"unknown\",destination_principal=\"unknown\","
            + "destination_service=\"mongodb.storage.svc.cluster.local\","
            + "destination_service_name=\"mongodb\",destination_service_namespace=\"storage\","
            + "destination_version=\"unknown\",destination_workload=\"unknown\","
            + "destination_workload_namespace=\"unknown\",reporter=\"source\","
            + "request_protocol=\"tcp\",response_flags=\"-\",source_app=\"productpage\","
            + "source_canonical_revision=\"v1\",source_canonical_service=\"productpage\","
            + "source_cluster=\"Kubernetes\","
            // The workload's own SPIFFE id: the entry has no TLS, the node's metadata names it.
            + "source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-productpage\","
            + "source_version=\"v1\","
            + "source_workload=\"productpage-v1\",source_workload_namespace=\"default\"}";
    assertThat(CollectorRunner.sample(exposition, "istio_tcp_sent_bytes_total" + labels))
        .as("sent bytes")
        .isEqualTo(65536.0);
    assertThat(CollectorRunner.sample(exposition, "istio_tcp_received_bytes_total" + labels))
        .as("received bytes")
        .isEqualTo(4096.0);
    assertThat(CollectorRunner.sample(exposition, "istio_tcp_connections_closed_total" + labels))
        .as("closed")
        .isEqualTo(1.0);
    assertThat(CollectorRunner.sample(exposition, "istio_tcp_connections_opened_total" + labels))
        .as("opened: the connection's only entry, its end, also counts its open")
        .isEqualTo(1.0);
  }

  @Test
  void tcpConnectionLoggedAsItGoes_countsEachByteOnce() {
    // flush_access_log_on_connected and access_log_flush_interval: a connect entry, periodic
    // entries and an end entry, each with the connection's running totals, on one stream.
    List<StreamAccessLogsMessage> messages = new ArrayList<>();
    long[][] totals = {{0, 0}, {1_000, 20_000}, {1_500, 50_000}, {1_600, 52_000}};
    AccessLogType[] types = {
      AccessLogType.TcpUpstreamConnected,
      AccessLogType.TcpPeriodic,
      AccessLogType.TcpPeriodic,
      AccessLogType.TcpConnectionEnd
    };
    for (int i = 0; i < types.length; i++) {
      messages.add(connectionEntry("redis", types[i], totals[i][0], totals[i][1]));
    }
    Status status = EnvoyClient.await(EnvoyClient.sendAccessLogs(channel, messages), TIMEOUT);
    assertThat(status.isOk()).as("stream status").isTrue();

    List<AccessRecord> records =
        accessRecords(4, r -> r.getCluster().equals("redis.storage.svc.cluster.local"));
    assertThat(records.stream().mapToLong(AccessRecord::getResponseBytes))
        .as("sent bytes per record: what moved since the connection's previous entry")
        .containsExactlyInAnyOrder(0L, 20_000L, 30_000L, 2_000L);
    String exposition = collector.scrape();
    String redis = "destination_service=\"redis.storage.svc.cluster.local\"";
    assertThat(sum(exposition, "istio_tcp_sent_bytes_total", redis))
        .as("sent bytes: the connection's final total")
        .isEqualTo(52_000.0);
    assertThat(sum(exposition, "istio_tcp_received_bytes_total", redis))
        .as("received bytes: the connection's final total")
        .isEqualTo(1_600.0);
    assertThat(sum(exposition, "istio_tcp_connections_opened_total", redis))
        .as("opened once, by the connect entry")
        .isEqualTo(1.0);
    assertThat(sum(exposition, "istio_tcp_connections_closed_total", redis))
        .as("closed once, by the end entry")
        .isEqualTo(1.0);
    assertThat(exposition)
        .as("no connection remembered once it ended")
        .containsPattern("(?m)^meshpulse_collector_tcp_connections_tracked 0\\.0$");
  }

  @Test
  void tcpConnectionOnTheProxysNextStream_countsFromItsFirstEntryThere() {
    // A stream is cut mid-connection (a collector restart, max-connection-age): the proxy's next
    // stream carries the connection's next entries. Its first periodic entry there sets the
    // baseline; the bytes between the two streams' entries are the price (30,000 sent here),
    // where counting its totals again would add all 20,000 bytes the first stream counted.
    List<StreamAccessLogsMessage> first =
        List.of(
            connectionEntry("postgres", AccessLogType.TcpUpstreamConnected, 0, 0),
            connectionEntry("postgres", AccessLogType.TcpPeriodic, 1_000, 20_000));
    List<StreamAccessLogsMessage> next =
        List.of(
            connectionEntry("postgres", AccessLogType.TcpPeriodic, 1_500, 50_000),
            connectionEntry("postgres", AccessLogType.TcpConnectionEnd, 1_600, 52_000));
    for (List<StreamAccessLogsMessage> stream : List.of(first, next)) {
      Status status = EnvoyClient.await(EnvoyClient.sendAccessLogs(channel, stream), TIMEOUT);
      assertThat(status.isOk()).as("stream status").isTrue();
    }

    List<AccessRecord> records =
        accessRecords(4, r -> r.getCluster().equals("postgres.storage.svc.cluster.local"));
    assertThat(records.stream().mapToLong(AccessRecord::getResponseBytes))
        .as("sent bytes per record")
        .containsExactlyInAnyOrder(0L, 20_000L, 0L, 2_000L);
    String exposition = collector.scrape();
    String postgres = "destination_service=\"postgres.storage.svc.cluster.local\"";
    assertThat(sum(exposition, "istio_tcp_sent_bytes_total", postgres))
        .as("sent bytes: all but those between the streams")
        .isEqualTo(22_000.0);
    assertThat(exposition)
        .as("the connection the second stream joined")
        .containsPattern("(?m)^meshpulse_collector_tcp_connections_joined_total 1\\.0$");
  }

  /**
   * A message with one entry of a connection from {@code 10.44.1.7:51234} to {@code service} in
   * namespace {@code storage}, started at the fixture's start time, with its running totals.
   */
  private static StreamAccessLogsMessage connectionEntry(
      String service, AccessLogType type, long received, long sent) {
    var entry = tcp("istio-outbound-tcp-entry").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .setUpstreamCluster("outbound|6379||" + service + ".storage.svc.cluster.local")
        .setDownstreamRemoteAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("10.44.1.7").setPortValue(51_234)))
        .setAccessLogType(type);
    entry.getConnectionPropertiesBuilder().setReceivedBytes(received).setSentBytes(sent);
    return EnvoyClient.tcp(node("istio-sidecar-node"), List.of(entry.build()));
  }

  /** The sum of a metric's samples whose labels contain {@code label}. */
  private static double sum(String exposition, String metric, String label) {
    return exposition
        .lines()
        .filter(line -> line.startsWith(metric + "{") && line.contains(label))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void metricsServiceReports_arriveAsPerNodeDeltasWithACounterReset() {
    Status status =
        EnvoyClient.await(
            EnvoyClient.sendStats(
                channel,
                List.of(
                    stats("stats-report-1"),
                    stats("stats-report-2"),
                    stats("stats-report-3-after-restart"))),
            TIMEOUT);
    assertThat(status.isOk()).as("stream status").isTrue();

    List<ProxyStats> reports = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record :
        TopicReader.read(
            kafka.bootstrapServers(), Topics.PROXY_STATS, 3, TIMEOUT, Duration.ofMillis(500))) {
      assertThat(record.key()).as("key").isEqualTo("edge-proxy-1");
      reports.add(parse(record.value(), ProxyStats::parseFrom));
    }

    assertThat(reports).as("one record per report").hasSize(3);
    StatSample delta = counter(reports.get(1));
    StatSample reset = counter(reports.get(2));
    assertThat(counter(reports.get(0))).as("first report: baseline only").isNull();
    assertThat(delta.getValue()).as("delta").isEqualTo(7.0);
    assertThat(delta.getReset()).as("no reset").isFalse();
    assertThat(reset.getValue()).as("value after reset").isEqualTo(4.0);
    assertThat(reset.getReset()).as("reset").isTrue();
  }

  private static StatSample counter(ProxyStats stats) {
    return stats.getSamplesList().stream()
        .filter(s -> s.getName().endsWith("upstream_rq_5xx"))
        .findFirst()
        .orElse(null);
  }

  private static void send(StreamAccessLogsMessage message) {
    Status status =
        EnvoyClient.await(EnvoyClient.sendAccessLogs(channel, List.of(message)), TIMEOUT);
    assertThat(status.isOk()).as("stream status").isTrue();
  }

  private static List<AccessRecord> accessRecords(int expected, Predicate<AccessRecord> filter) {
    List<AccessRecord> all = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      all.clear();
      for (ConsumerRecord<String, byte[]> record :
          TopicReader.read(
              kafka.bootstrapServers(),
              Topics.ACCESS_RECORDS,
              Integer.MAX_VALUE,
              Duration.ofSeconds(2),
              Duration.ZERO)) {
        AccessRecord parsed = parse(record.value(), AccessRecord::parseFrom);
        if (filter.test(parsed)) {
          all.add(parsed);
        }
      }
      if (all.size() >= expected) {
        break;
      }
    }
    return all;
  }

  private static AccessRecord byRequestId(List<AccessRecord> records, String id) {
    return records.stream()
        .filter(r -> r.getRequestId().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no record " + id));
  }

  private static HTTPAccessLogEntry withRequestId(HTTPAccessLogEntry entry, String id) {
    return entry.toBuilder().setRequest(entry.getRequest().toBuilder().setRequestId(id)).build();
  }

  interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static <T> T parse(byte[] bytes, Parser<T> parser) {
    try {
      return parser.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
