package io.meshpulse.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.collector.EnvoyFixtures;
import io.meshpulse.collector.mapping.AccessLogDecoder;
import io.meshpulse.collector.mapping.AccessLogMessage;
import io.meshpulse.collector.mapping.AccessRecordMapper;
import io.meshpulse.collector.mapping.MappedAccess;
import io.meshpulse.collector.mapping.MappingOptions;
import io.meshpulse.collector.mapping.NodeIdentity;
import io.meshpulse.collector.mapping.NodeIdentityResolver;
import io.meshpulse.collector.mapping.PlainNodeMapping;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IstioMetricsTest {
  private final List<String> overflows = new ArrayList<>();
  private final IstioMetrics metrics =
      new IstioMetrics(new CardinalityLimits(3, 5), (metric, label) -> overflows.add(label));

  @Test
  void requests_areCountedPerSeriesWithDurationInIstiosMillisecondBuckets() throws IOException {
    metrics.record(request("reviews", 200, 7_000));
    metrics.record(request("reviews", 200, 30_000));

    String text = prometheusText();

    assertThat(text)
        .as("exposition")
        .contains("# TYPE istio_requests_total counter")
        .containsPattern("istio_requests_total\\{[^}]*destination_service=\"reviews\"[^}]*\\} 2")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"5.0\"\\} 0")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"10.0\"\\} 1")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"50.0\"\\} 2")
        .containsPattern("istio_request_duration_milliseconds_sum\\{[^}]*\\} 37.0")
        .containsPattern("istio_request_bytes_bucket\\{[^}]*le=\"1000.0\"\\} 2")
        .containsPattern("istio_response_bytes_bucket\\{[^}]*le=\"10000.0\"\\} 2");
  }

  @Test
  void egressHosts_beyondTheirCap_readAsTheClusterName_andLeaveTheMeshItsValues()
      throws IOException {
    List<String> folds = new ArrayList<>();
    IstioMetrics capped =
        new IstioMetrics(
            new CardinalityLimits(4, 100, 2), (metric, label) -> folds.add(metric + "/" + label));
    for (String host : List.of("a.example.com", "b.example.com", "c.example.com")) {
      capped.record(egress(host));
      capped.record(egress(host));
    }
    capped.record(request("reviews.default.svc.cluster.local", 200, 1_000));

    String text = prometheusText(capped);

    assertThat(text)
        .containsPattern(
            "istio_requests_total\\{[^}]*destination_service=\"a.example.com\"[^}]*\\} 2")
        .containsPattern(
            "istio_requests_total\\{[^}]*destination_service=\"b.example.com\"[^}]*\\} 2")
        .doesNotContain("c.example.com")
        .containsPattern(
            "istio_requests_total\\{[^}]*destination_service=\"PassthroughCluster\""
                + "[^}]*destination_service_name=\"PassthroughCluster\"[^}]*\\} 2")
        .as("the mesh's service keeps a value of its own")
        .containsPattern(
            "istio_requests_total\\{[^}]*"
                + "destination_service=\"reviews.default.svc.cluster.local\"[^}]*\\} 1");
    assertThat(folds)
        .as("each folded request counted")
        .containsExactly(
            "istio_requests_total/destination_service", "istio_requests_total/destination_service");
  }

  @Test
  void openMetricsExposition_keepsIstiosSampleNames() throws IOException {
    metrics.record(request("reviews", 200, 7_000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new OpenMetricsTextFormatWriter(false, false).write(out, metrics.collect());

    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("openmetrics exposition")
        .contains("# TYPE istio_requests counter")
        .containsPattern("\nistio_requests_total\\{")
        .containsPattern("\nistio_request_duration_milliseconds_bucket\\{");
  }

  @Test
  void missingPeerValues_areUnknownAndNonGrpcStatusIsEmpty() throws IOException {
    metrics.record(request("reviews", 503, 1_000));

    assertThat(prometheusText())
        .as("exposition")
        .contains("source_principal=\"unknown\"")
        .contains("grpc_response_status=\"\"")
        .contains("response_flags=\"-\"")
        .contains("reporter=\"source\"");
  }

  @Test
  void valuesBeyondThePerLabelCap_foldIntoOther() throws IOException {
    for (String service : List.of("a", "b", "c", "d", "e")) {
      metrics.record(request(service, 200, 1_000));
    }

    String text = prometheusText();

    assertThat(text).as("folded").contains("destination_service=\"other\"");
    assertThat(text).as("over the cap").doesNotContain("destination_service=\"d\"");
    assertThat(overflows).as("overflow reported per label").contains("destination_service");
  }

  @Test
  void seriesBeyondTheCap_foldIntoOneOverflowSeries() {
    for (int code : new int[] {200, 201, 202}) {
      for (String service : List.of("a", "b", "c")) {
        metrics.record(request(service, code, 1_000));
      }
    }

    assertThat(metrics.httpSeries()).as("series").isEqualTo(5);
    assertThat(overflows).as("series overflow reported").contains(CardinalityGuard.SERIES);
  }

  @Test
  void tcpRecords_feedTheTcpCountersOnly() throws IOException {
    metrics.record(
        AccessRecord.newBuilder()
            .setProtocol(Protocol.PROTOCOL_TCP)
            .setReporter(Reporter.REPORTER_DESTINATION)
            .setRequestBytes(10)
            .setResponseBytes(20)
            .setConnectionOpened(true)
            .build());

    String text = prometheusText();

    assertThat(text)
        .as("tcp exposition")
        .containsPattern(
            "istio_tcp_received_bytes_total\\{[^}]*reporter=\"destination\"[^}]*\\} 10")
        .containsPattern("istio_tcp_sent_bytes_total\\{[^}]*\\} 20")
        .containsPattern("istio_tcp_connections_opened_total\\{[^}]*\\} 1")
        .containsPattern("istio_tcp_connections_closed_total\\{[^}]*\\} 0")
        .doesNotContain("istio_requests_total{")
        .doesNotContainPattern("istio_tcp_sent_bytes_total\\{[^}]*response_code");
  }

  @Test
  void byteHistograms_useEnvoysDefaultBuckets_theDurationOnes() throws IOException {
    metrics.record(request("reviews", 200, 1_000));

    String text = prometheusText();

    for (String metric :
        List.of(
            "istio_request_bytes", "istio_response_bytes", "istio_request_duration_milliseconds")) {
      assertThat(bucketBounds(text, metric))
          .as("%s bucket bounds", metric)
          .isEqualTo(EnvoyFixtures.ENVOY_DEFAULT_BUCKETS);
    }
    assertThat(text)
        .as("500 request bytes land in the 500 bucket")
        .containsPattern("istio_request_bytes_bucket\\{[^}]*le=\"250.0\"\\} 0")
        .containsPattern("istio_request_bytes_bucket\\{[^}]*le=\"500.0\"\\} 1")
        .containsPattern("istio_response_bytes_bucket\\{[^}]*le=\"2500.0\"\\} 0")
        .containsPattern("istio_response_bytes_bucket\\{[^}]*le=\"5000.0\"\\} 1")
        .containsPattern("istio_request_bytes_sum\\{[^}]*\\} 500.0")
        .containsPattern("istio_response_bytes_sum\\{[^}]*\\} 5000.0");
  }

  @Test
  void everyMetric_carriesIstios25Labels_tcpAllButTheResponseOnes() throws IOException {
    metrics.record(request("reviews", 200, 1_000));
    metrics.record(
        AccessRecord.newBuilder()
            .setProtocol(Protocol.PROTOCOL_TCP)
            .setReporter(Reporter.REPORTER_SOURCE)
            .setConnectionOpened(true)
            .build());
    List<String> istio =
        List.of(
            "reporter",
            "source_workload",
            "source_workload_namespace",
            "source_principal",
            "source_app",
            "source_version",
            "source_canonical_service",
            "source_canonical_revision",
            "source_cluster",
            "destination_workload",
            "destination_workload_namespace",
            "destination_principal",
            "destination_app",
            "destination_version",
            "destination_service",
            "destination_service_name",
            "destination_service_namespace",
            "destination_canonical_service",
            "destination_canonical_revision",
            "destination_cluster",
            "request_protocol",
            "response_flags",
            "connection_security_policy",
            "response_code",
            "grpc_response_status");

    String text = prometheusText();

    assertThat(istio).as("Istio's label set").hasSize(25);
    for (String metric :
        List.of(
            "istio_requests_total",
            "istio_request_duration_milliseconds_count",
            "istio_request_bytes_count",
            "istio_response_bytes_count")) {
      assertThat(labelNames(text, metric)).as(metric).containsExactlyInAnyOrderElementsOf(istio);
    }
    List<String> tcp =
        istio.stream()
            .filter(l -> !l.equals("response_code") && !l.equals("grpc_response_status"))
            .toList();
    for (String metric :
        List.of(
            "istio_tcp_sent_bytes_total",
            "istio_tcp_received_bytes_total",
            "istio_tcp_connections_opened_total",
            "istio_tcp_connections_closed_total")) {
      assertThat(labelNames(text, metric)).as(metric).containsExactlyInAnyOrderElementsOf(tcp);
    }
  }

  @Test
  void canonicalLabels_comeFromTheReportingNode_thoseOfAPeerWithoutMetadataAreUnknownAndLatest()
      throws IOException {
    NodeIdentity reviews =
        new NodeIdentityResolver(PlainNodeMapping.defaults())
            .resolve(
                EnvoyFixtures.node("istio-reviews-node").toBuilder()
                    .setMetadata(
                        metadata(
                            "service.istio.io/canonical-name",
                            "reviews-canonical",
                            "service.istio.io/canonical-revision",
                            "r7",
                            "app",
                            "reviews"))
                    .build());
    NodeIdentity productpage =
        new NodeIdentityResolver(PlainNodeMapping.defaults())
            .resolve(EnvoyFixtures.node("istio-sidecar-node"));
    metrics.record(decode(reviews, EnvoyFixtures.http("istio-inbound-http-entry")));
    metrics.record(decode(productpage, EnvoyFixtures.http("istio-outbound-grpc-entry")));

    String text = prometheusText();

    assertThat(text)
        .as("inbound: the destination is the reporting node")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"destination\")"
                + "(?=[^}]*destination_canonical_service=\"reviews-canonical\")"
                + "(?=[^}]*destination_canonical_revision=\"r7\")"
                + "(?=[^}]*source_canonical_service=\"unknown\")"
                + "(?=[^}]*source_canonical_revision=\"latest\")[^}]*\\} 1")
        .as("outbound: the source is the reporting node, its labels' fallbacks app and version")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"source\")"
                + "(?=[^}]*source_canonical_service=\"productpage\")"
                + "(?=[^}]*source_canonical_revision=\"v1\")"
                + "(?=[^}]*destination_canonical_service=\"unknown\")"
                + "(?=[^}]*destination_canonical_revision=\"latest\")[^}]*\\} 1");
  }

  @Test
  void peerMetadataInTheAccessLog_labelsTheOtherSideAsIstioDoes() throws IOException {
    NodeIdentityResolver resolver = new NodeIdentityResolver(PlainNodeMapping.defaults());
    NodeIdentity reviews = resolver.resolve(EnvoyFixtures.node("istio-reviews-node"));
    NodeIdentity productpage = resolver.resolve(EnvoyFixtures.node("istio-sidecar-node"));
    metrics.record(decode(reviews, EnvoyFixtures.http("istio-inbound-http-entry-with-peer")));
    metrics.record(decode(productpage, EnvoyFixtures.http("istio-outbound-grpc-entry-with-peer")));

    assertThat(prometheusText())
        .as("inbound: the source from downstream_peer")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"destination\")"
                + "(?=[^}]*source_workload=\"productpage-v1\")"
                + "(?=[^}]*source_workload_namespace=\"default\")"
                + "(?=[^}]*source_app=\"productpage\")"
                + "(?=[^}]*source_version=\"v1\")"
                + "(?=[^}]*source_canonical_service=\"productpage\")"
                + "(?=[^}]*source_canonical_revision=\"v1\")"
                + "(?=[^}]*source_cluster=\"Kubernetes\")[^}]*\\} 1")
        .as("outbound: the destination from upstream_peer; its version label, not the subset")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"source\")"
                + "(?=[^}]*destination_workload=\"reviews-v2\")"
                + "(?=[^}]*destination_workload_namespace=\"default\")"
                + "(?=[^}]*destination_app=\"reviews\")"
                + "(?=[^}]*destination_version=\"v2\")"
                + "(?=[^}]*destination_canonical_service=\"reviews\")"
                + "(?=[^}]*destination_canonical_revision=\"v2\")"
                + "(?=[^}]*destination_cluster=\"Kubernetes\")"
                + "(?=[^}]*destination_principal=\"unknown\")[^}]*\\} 1");
  }

  @Test
  void waypointEntry_isLabelledWaypoint_withBothSidesFromThePeers() throws IOException {
    NodeIdentityResolver resolver = new NodeIdentityResolver(PlainNodeMapping.defaults());
    NodeIdentity waypoint = resolver.resolve(EnvoyFixtures.node("istio-waypoint-node"));
    metrics.record(decode(waypoint, EnvoyFixtures.http("istio-waypoint-http-entry-with-peers")));

    assertThat(prometheusText())
        .as("reporter waypoint; neither side is the waypoint's own workload")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"waypoint\")"
                + "(?=[^}]*source_workload=\"productpage-v1\")"
                + "(?=[^}]*source_canonical_service=\"productpage\")"
                + "(?=[^}]*source_canonical_revision=\"v1\")"
                + "(?=[^}]*source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-productpage\")"
                + "(?=[^}]*destination_workload=\"reviews-v2\")"
                + "(?=[^}]*destination_version=\"v2\")"
                + "(?=[^}]*destination_service=\"reviews.default.svc.cluster.local\")"
                + "(?=[^}]*destination_canonical_service=\"reviews\")"
                + "(?=[^}]*destination_canonical_revision=\"v2\")"
                + "(?=[^}]*response_code=\"503\")"
                + "(?=[^}]*connection_security_policy=\"mutual_tls\")[^}]*\\} 1")
        .doesNotContain("canonical_service=\"waypoint\"");
  }

  @Test
  void waypointEntryWithoutTheUpstreamPeer_hasAnUnknownDestinationRevision() throws IOException {
    metrics.record(
        request("reviews.default.svc.cluster.local", 200, 1_000).toBuilder()
            .setReporter(Reporter.REPORTER_WAYPOINT)
            .build());
    metrics.record(request("ratings.default.svc.cluster.local", 200, 1_000));

    assertThat(prometheusText())
        .as("as Istio's waypoints write it")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"waypoint\")"
                + "(?=[^}]*destination_canonical_revision=\"unknown\")[^}]*\\} 1")
        .as("a sidecar writes latest")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"source\")"
                + "(?=[^}]*destination_canonical_revision=\"latest\")[^}]*\\} 1");
  }

  @Test
  void canonicalLabelsOfARecord_fallBackToItsAppOrWorkloadAndLatest() throws IOException {
    metrics.record(request("reviews", 200, 1_000));
    metrics.record(
        AccessRecord.newBuilder()
            .setReporter(Reporter.REPORTER_DESTINATION)
            .setProtocol(Protocol.PROTOCOL_HTTP)
            .setDestination(
                Peer.newBuilder().setWorkload("ratings-v1").setApp("ratings").setVersion("v1"))
            .build());

    assertThat(prometheusText())
        .as("source side: workload productpage-v1 without app or version")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"source\")"
                + "(?=[^}]*source_canonical_service=\"productpage-v1\")"
                + "(?=[^}]*source_canonical_revision=\"latest\")[^}]*\\} 1")
        .as("destination side: app and version")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*reporter=\"destination\")"
                + "(?=[^}]*destination_canonical_service=\"ratings\")"
                + "(?=[^}]*destination_canonical_revision=\"v1\")[^}]*\\} 1");
  }

  @Test
  void canonicalValuesBeyondThePerLabelCap_foldIntoOther() throws IOException {
    for (String app : List.of("a", "b", "c", "d", "e")) {
      metrics.record(
          AccessRecord.newBuilder()
              .setReporter(Reporter.REPORTER_SOURCE)
              .setProtocol(Protocol.PROTOCOL_TCP)
              .setSource(Peer.newBuilder().setApp(app))
              .setConnectionOpened(true)
              .build());
    }

    assertThat(prometheusText())
        .as("folded")
        .contains("source_canonical_service=\"other\"")
        .doesNotContain("source_canonical_service=\"d\"");
    assertThat(overflows).as("overflow reported").contains("source_canonical_service");
  }

  @Test
  void inboundSourceNamespace_isTheNamespaceOfTheSourcePrincipal() throws IOException {
    metrics.record(inbound("spiffe://cluster.local/ns/shop/sa/cart", "ok-1"));
    metrics.record(inbound("", "ok-2"));

    assertThat(prometheusText())
        .as("from the SPIFFE id")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*destination_service=\"ok-1\")"
                + "(?=[^}]*source_workload_namespace=\"shop\")[^}]*\\} 1")
        .as("no principal")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*destination_service=\"ok-2\")"
                + "(?=[^}]*source_workload_namespace=\"unknown\")[^}]*\\} 1");
    assertThat(IstioMetrics.principalNamespace("spiffe://td/ns/default/sa/x"))
        .as("namespace part")
        .isEqualTo("default");
    assertThat(IstioMetrics.principalNamespace("spiffe://td/ns/default")).isEqualTo("default");
    assertThat(IstioMetrics.principalNamespace("spiffe://td/sa/x")).as("none").isEmpty();
  }

  @Test
  void grpcRequestWithoutGrpcStatus_isLabelledWithTheStatusOfItsResponseCode() throws IOException {
    NodeIdentity productpage =
        new NodeIdentityResolver(PlainNodeMapping.defaults())
            .resolve(EnvoyFixtures.node("istio-sidecar-node"));
    HTTPAccessLogEntry.Builder unavailable =
        EnvoyFixtures.http("istio-outbound-grpc-entry").toBuilder();
    unavailable
        .getResponseBuilder()
        .clearResponseTrailers()
        .setResponseCode(com.google.protobuf.UInt32Value.of(503));
    HTTPAccessLogEntry.Builder noStatus =
        EnvoyFixtures.http("istio-outbound-grpc-entry").toBuilder();
    noStatus.getResponseBuilder().clearResponseTrailers();
    metrics.record(decode(productpage, unavailable.build()));
    metrics.record(decode(productpage, noStatus.build()));

    assertThat(prometheusText())
        .as("503: UNAVAILABLE, as Envoy's httpToGrpcStatus has it")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*request_protocol=\"grpc\")"
                + "(?=[^}]*response_code=\"503\")"
                + "(?=[^}]*grpc_response_status=\"14\")[^}]*\\} 1")
        .as("200 without grpc-status: UNKNOWN, as Istio labels it")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*request_protocol=\"grpc\")"
                + "(?=[^}]*response_code=\"200\")"
                + "(?=[^}]*grpc_response_status=\"2\")[^}]*\\} 1");
  }

  @Test
  void aGrpcStatusOfARequestThatIsNotGrpc_isNotLabelled() throws IOException {
    NodeIdentity productpage =
        new NodeIdentityResolver(PlainNodeMapping.defaults())
            .resolve(EnvoyFixtures.node("istio-sidecar-node"));
    HTTPAccessLogEntry.Builder grpcWeb =
        EnvoyFixtures.http("istio-outbound-grpc-entry").toBuilder();
    grpcWeb.getRequestBuilder().putRequestHeaders("content-type", "application/grpc-web");
    metrics.record(decode(productpage, grpcWeb.build()));
    metrics.record(request("reviews", 200, 1_000).toBuilder().setGrpcStatus(14).build());

    assertThat(prometheusText())
        .as("a grpc-web request answered with grpc-status 14, and an HTTP record with a status")
        .doesNotContain("request_protocol=\"grpc\"")
        .doesNotContain("grpc_response_status=\"14\"")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*destination_service=\"reviews\")"
                + "(?=[^}]*grpc_response_status=\"\")[^}]*\\} 1")
        .containsPattern(
            "istio_requests_total\\{(?=[^}]*destination_service=\"reviews.default.svc.cluster.local\")"
                + "(?=[^}]*request_protocol=\"http\")"
                + "(?=[^}]*grpc_response_status=\"\")[^}]*\\} 1");
  }

  @Test
  void aRequestLoggedAtItsStartPeriodicallyAndByItsUpstream_countsOnceAtItsEnd()
      throws IOException {
    NodeIdentity productpage =
        new NodeIdentityResolver(PlainNodeMapping.defaults())
            .resolve(EnvoyFixtures.node("istio-sidecar-node"));
    List<HTTPAccessLogEntry> entries = new ArrayList<>();
    for (AccessLogType type :
        List.of(
            AccessLogType.DownstreamStart,
            AccessLogType.DownstreamPeriodic,
            AccessLogType.UpstreamPoolReady,
            AccessLogType.UpstreamPeriodic,
            AccessLogType.UpstreamEnd,
            AccessLogType.DownstreamEnd)) {
      HTTPAccessLogEntry.Builder entry =
          EnvoyFixtures.http("istio-outbound-grpc-entry").toBuilder();
      entry.getCommonPropertiesBuilder().setAccessLogType(type);
      entries.add(entry.build());
    }
    for (MappedAccess record : decodeAll(productpage, entries)) {
      metrics.record(record);
    }

    assertThat(prometheusText())
        .as("one request, its duration and sizes observed once")
        .containsPattern("istio_requests_total\\{[^}]*\\} 1(\\.0)?\n")
        .containsPattern("istio_request_duration_milliseconds_count\\{[^}]*\\} 1(\\.0)?\n")
        .containsPattern("istio_request_bytes_count\\{[^}]*\\} 1(\\.0)?\n")
        .containsPattern("istio_response_bytes_count\\{[^}]*\\} 1(\\.0)?\n");
    assertThat(metrics.httpSeries()).as("series").isOne();
  }

  private String prometheusText() throws IOException {
    return prometheusText(metrics);
  }

  private static String prometheusText(IstioMetrics of) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, of.collect());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static AccessRecord inbound(String sourcePrincipal, String service) {
    return AccessRecord.newBuilder()
        .setReporter(Reporter.REPORTER_DESTINATION)
        .setProtocol(Protocol.PROTOCOL_HTTP)
        .setSource(Peer.newBuilder().setPrincipal(sourcePrincipal))
        .setDestination(Peer.newBuilder().setWorkload("cart-v1").setService(service))
        .setResponseCode(200)
        .build();
  }

  /** The records of {@code entries} decoded in turn on one stream: none for a skipped entry. */
  private static List<MappedAccess> decodeAll(NodeIdentity node, List<HTTPAccessLogEntry> entries) {
    try {
      AccessLogMessage message =
          AccessLogMessage.read(
              StreamAccessLogsMessage.newBuilder()
                  .setHttpLogs(
                      StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                          .addAllLogEntry(entries))
                  .build()
                  .toByteArray());
      AccessLogDecoder decoder = new AccessRecordMapper(MappingOptions.defaults()).newDecoder();
      List<MappedAccess> records = new ArrayList<>();
      for (int i = 0; i < message.entries(); i++) {
        MappedAccess record = decoder.map(node, message, i);
        if (record != null) {
          records.add(record);
        }
      }
      return records;
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static MappedAccess decode(NodeIdentity node, HTTPAccessLogEntry entry) {
    try {
      byte[] message =
          StreamAccessLogsMessage.newBuilder()
              .setHttpLogs(
                  StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addLogEntry(entry))
              .build()
              .toByteArray();
      return new AccessRecordMapper(MappingOptions.defaults())
          .newDecoder()
          .map(node, AccessLogMessage.read(message), 0);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static Struct metadata(String... labels) {
    Struct.Builder struct = Struct.newBuilder();
    for (int i = 0; i < labels.length; i += 2) {
      struct.putFields(labels[i], Value.newBuilder().setStringValue(labels[i + 1]).build());
    }
    return Struct.newBuilder()
        .putFields("ISTIO_VERSION", Value.newBuilder().setStringValue("1.24.2").build())
        .putFields("LABELS", Value.newBuilder().setStructValue(struct).build())
        .build();
  }

  /** The label names of the first sample of {@code sample}. */
  private static List<String> labelNames(String text, String sample) {
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(sample) + "\\{([^}]*)\\}").matcher(text);
    assertThat(line.find()).as("a %s sample", sample).isTrue();
    List<String> names = new ArrayList<>();
    Matcher label = Pattern.compile("([a-z_]+)=\"[^\"]*\"").matcher(line.group(1));
    while (label.find()) {
      names.add(label.group(1));
    }
    return names;
  }

  /** The le values of the first series of histogram {@code metric}, in order. */
  private static List<String> bucketBounds(String text, String metric) {
    List<String> bounds = new ArrayList<>();
    Matcher bucket =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "_bucket\\{[^}]*le=\"([^\"]*)\"")
            .matcher(text);
    while (bucket.find()) {
      bounds.add(bucket.group(1));
      if (bucket.group(1).equals("+Inf")) {
        break;
      }
    }
    return bounds;
  }

  /** A request a sidecar sent out of the mesh, as the mapping gives it. */
  private static AccessRecord egress(String host) {
    return request(host, 200, 1_000).toBuilder()
        .setCluster("PassthroughCluster")
        .setDestination(Peer.newBuilder().setService(host).setServiceName("PassthroughCluster"))
        .build();
  }

  private static AccessRecord request(String service, int code, long durationMicros) {
    return AccessRecord.newBuilder()
        .setReporter(Reporter.REPORTER_SOURCE)
        .setProtocol(Protocol.PROTOCOL_HTTP)
        .setSource(Peer.newBuilder().setWorkload("productpage-v1"))
        .setDestination(Peer.newBuilder().setService(service))
        .setResponseCode(code)
        .setDurationMicros(durationMicros)
        .setRequestBytes(500)
        .setResponseBytes(5_000)
        .setResponseFlagsText("-")
        .build();
  }
}
