package io.meshpulse.collector.mapping;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static io.meshpulse.collector.EnvoyFixtures.tcp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.meshpulse.collector.EnvoyFixtures;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRecordMapperTest {
  /** The caller as downstream_peer and its certificate name it in the fixtures. */
  private static final Peer PRODUCTPAGE_FROM_PEER_METADATA =
      Peer.newBuilder()
          .setWorkload("productpage-v1")
          .setNamespace("default")
          .setApp("productpage")
          .setVersion("v1")
          .setMeshCluster("Kubernetes")
          .setCanonicalService("productpage")
          .setCanonicalRevision("v1")
          .setPrincipal("spiffe://cluster.local/ns/default/sa/bookinfo-productpage")
          .build();

  private final NodeIdentityResolver resolver =
      new NodeIdentityResolver(PlainNodeMapping.defaults());
  private final AccessRecordMapper mapper = new AccessRecordMapper(MappingOptions.defaults());

  private final NodeIdentity productpage = resolver.resolve(node("istio-sidecar-node"));
  private final NodeIdentity reviews = resolver.resolve(node("istio-reviews-node"));

  @Test
  void outboundIstioEntry_isReportedBySourceWithTheServiceAndSubsetOfItsCluster() {
    AccessRecord record = mapper.mapHttp(productpage, http("istio-outbound-grpc-entry"));

    assertThat(record.getReporter()).as("reporter").isEqualTo(Reporter.REPORTER_SOURCE);
    assertThat(record.getCluster()).as("cluster").isEqualTo("reviews.default.svc.cluster.local");
    assertThat(record.getSubset()).as("subset").isEqualTo("v2");
    assertThat(record.getUpstreamCluster())
        .as("upstream cluster as reported")
        .isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(record.getSource().getWorkload()).as("source workload").isEqualTo("productpage-v1");
    assertThat(record.getSource().getNamespace()).as("source namespace").isEqualTo("default");
    assertThat(record.getSource().getApp()).as("source app").isEqualTo("productpage");
    assertThat(record.getSource().getVersion()).as("source version").isEqualTo("v1");
    assertThat(record.getSource().getMeshCluster()).as("source cluster").isEqualTo("Kubernetes");
    assertThat(record.getSource().getPrincipal())
        .as("source principal: the workload's SPIFFE id, from its node (the entry has no TLS)")
        .isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
    assertThat(record.getDestination().getServiceName()).as("service name").isEqualTo("reviews");
    assertThat(record.getDestination().getServiceNamespace())
        .as("service namespace")
        .isEqualTo("default");
    assertThat(RecordKeys.of(record))
        .as("record key")
        .isEqualTo("reviews.default.svc.cluster.local/10.44.3.17:9080");
    assertThat(record.getConnectionSecurityPolicy()).as("security policy").isEqualTo("unknown");
  }

  @Test
  void grpcEntry_takesItsStatusFromTheTrailersAndItsFlagsAsBitmaskAndText() {
    AccessRecord record = mapper.mapHttp(productpage, http("istio-outbound-grpc-entry"));

    assertThat(record.getProtocol()).as("protocol").isEqualTo(Protocol.PROTOCOL_GRPC);
    assertThat(record.getResponseCode()).as("response code").isEqualTo(200);
    assertThat(record.hasGrpcStatus()).as("has grpc status").isTrue();
    assertThat(record.getGrpcStatus()).as("grpc status").isEqualTo(14);
    assertThat(record.getResponseFlagsText()).as("flags text").isEqualTo("UF,URX");
    assertThat(record.getResponseFlags())
        .as("flags bitmask: upstream_connection_failure = field 6, retry limit = field 16")
        .isEqualTo((1L << 5) | (1L << 15));
    assertThat(record.getTraceId()).as("trace id").isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(record.getRequestMethod()).as("method").isEqualTo("POST");
  }

  @Test
  void latency_comesFromTheLastDownstreamByteAndBytesIncludeHeaders() {
    AccessRecord record = mapper.mapHttp(productpage, http("istio-outbound-grpc-entry"));

    assertThat(record.getDurationMicros()).as("duration").isEqualTo(13_000);
    assertThat(record.getUpstreamLatencyMicros()).as("upstream latency").isEqualTo(12_000);
    assertThat(record.getStartTimeUnixMicros()).as("start time").isEqualTo(1_764_158_400_250_000L);
    assertThat(record.getRequestBytes()).as("request bytes").isEqualTo(222);
    assertThat(record.getResponseBytes()).as("response bytes").isEqualTo(1290);
  }

  @Test
  void latency_fallsBackToUpstreamTimingsWhenTheDownstreamOneIsMissing() {
    AccessRecord record = mapper.mapHttp(reviews, http("istio-inbound-http-entry"));

    assertThat(record.getDurationMicros()).as("duration").isEqualTo(4_000);
  }

  @Test
  void pathAndHeadersAreDroppedUnlessConfiguredToBeKept() {
    AccessRecord dropped = mapper.mapHttp(productpage, http("istio-outbound-grpc-entry"));
    AccessRecord kept =
        new AccessRecordMapper(
                new MappingOptions(
                    true,
                    Set.of("Content-Type"),
                    PlainNodeMapping.defaults(),
                    Reporter.REPORTER_SOURCE))
            .mapHttp(productpage, http("istio-outbound-grpc-entry"));

    assertThat(dropped.getPath()).as("path by default").isEmpty();
    assertThat(dropped.getRequestHeadersMap()).as("headers by default").isEmpty();
    assertThat(kept.getPath()).as("path when kept").isEqualTo("/reviews.Reviews/Get?user=42");
    assertThat(kept.getRequestHeadersMap())
        .as("only the configured headers")
        .containsExactly(java.util.Map.entry("content-type", "application/grpc"));
  }

  @Test
  void inboundIstioEntry_isReportedByDestinationWithMutualTlsAndThePeerPrincipal() {
    AccessRecord record = mapper.mapHttp(reviews, http("istio-inbound-http-entry"));

    assertThat(record.getReporter()).as("reporter").isEqualTo(Reporter.REPORTER_DESTINATION);
    assertThat(record.getDestination().getWorkload())
        .as("destination workload")
        .isEqualTo("reviews-v2");
    assertThat(record.getDestination().getNamespace())
        .as("destination namespace")
        .isEqualTo("default");
    assertThat(record.getDestination().getApp()).as("destination app").isEqualTo("reviews");
    assertThat(record.getDestination().getVersion()).as("destination version").isEqualTo("v2");
    assertMutualTlsFromProductpageToReviews(record);
    assertThat(record.getCluster())
        .as("inbound|9080|| names no service: the node's app in its DNS domain")
        .isEqualTo("reviews.default.svc.cluster.local");
    assertThat(record.getDestination().getServiceNamespace())
        .as("service namespace")
        .isEqualTo("default");
    assertThat(record.getProtocol()).as("protocol").isEqualTo(Protocol.PROTOCOL_HTTP);
    assertThat(record.getResponseCode()).as("response code").isEqualTo(503);
    assertThat(record.hasGrpcStatus()).as("has grpc status").isFalse();
    assertThat(record.getResponseFlagsText()).as("no flags").isEqualTo("-");
  }

  @Test
  void plainEnvoyEntry_usesTheConfiguredNodeMappingAndTheClusterNameAsIs() {
    NodeIdentity edge = resolver.resolve(node("plain-envoy-node"));
    AccessRecord record = mapper.mapHttp(edge, http("plain-http-entry"));

    assertThat(record.getReporter()).as("default reporter").isEqualTo(Reporter.REPORTER_SOURCE);
    assertThat(record.getCluster()).as("cluster").isEqualTo("catalog");
    assertThat(record.getSubset()).as("subset").isEmpty();
    assertThat(record.getSource().getWorkload())
        .as("workload from node.cluster")
        .isEqualTo("frontend");
    assertThat(record.getSource().getApp()).as("app falls back to workload").isEqualTo("frontend");
    assertThat(record.getSource().getVersion()).as("version from metadata").isEqualTo("2024.11");
    assertThat(record.getSource().getNamespace()).as("namespace from metadata").isEqualTo("shop");
    assertThat(record.getSource().getMeshCluster())
        .as("mesh cluster from metadata")
        .isEqualTo("eu-west");
    assertThat(record.getResponseFlagsText()).as("flags").isEqualTo("UH");
    assertThat(record.getNodeId()).as("node id").isEqualTo("edge-proxy-1");
  }

  @Test
  void tcpEntry_mapsBytesAndTheConnectionEnd() {
    AccessRecord record = mapper.mapTcp(productpage, tcp("istio-outbound-tcp-entry"));

    assertThat(record.getProtocol()).as("protocol").isEqualTo(Protocol.PROTOCOL_TCP);
    assertThat(record.getCluster()).as("cluster").isEqualTo("mongodb.storage.svc.cluster.local");
    assertThat(record.getDestination().getServiceNamespace()).as("namespace").isEqualTo("storage");
    assertThat(record.getRequestBytes()).as("received bytes").isEqualTo(4096);
    assertThat(record.getResponseBytes()).as("sent bytes").isEqualTo(65536);
    assertThat(record.getConnectionClosed()).as("closed").isTrue();
    assertThat(record.getConnectionOpened())
        .as("opened too: no entry of this stream logged a connect")
        .isTrue();
    assertThat(record.getDurationMicros()).as("duration").isEqualTo(2_500_000);
  }

  @Test
  void tcpConnections_countOncePerConnection_whetherOrNotTheProxyLogsConnects()
      throws InvalidProtocolBufferException {
    // Envoy's default: one entry per connection, at its end, with periodic entries between.
    AccessLogDecoder endsOnly = mapper.newDecoder();
    assertThat(tcpCounts(endsOnly, AccessLogType.TcpPeriodic))
        .as("periodic")
        .containsExactly(false, false);
    assertThat(tcpCounts(endsOnly, AccessLogType.TcpConnectionEnd))
        .as("the end of a connection no connect entry announced: opened and closed")
        .containsExactly(true, true);
    // flush_access_log_on_connected: the connect entry opens, the end entry only closes.
    AccessLogDecoder connects = mapper.newDecoder();
    assertThat(tcpCounts(connects, AccessLogType.TcpUpstreamConnected))
        .as("connect entry")
        .containsExactly(true, false);
    assertThat(tcpCounts(connects, AccessLogType.TcpConnectionEnd))
        .as("end entry of a proxy that logs connects")
        .containsExactly(false, true);
    assertThat(tcpCounts(mapper.newDecoder(), AccessLogType.NotSet))
        .as("an Envoy without access_log_type logs a connection once")
        .containsExactly(true, true);
  }

  @Test
  void aConnectionWhoseUpstreamConnectFailed_countsAsOpened_onAProxyThatLogsConnects()
      throws InvalidProtocolBufferException {
    long streamOpened = 1_800_000_000_000L;
    AccessLogDecoder stream = mapper.newDecoder(streamOpened);
    long after = streamOpened / 1000 + 5;
    long before = streamOpened / 1000 - 600;
    assertThat(tcpOpened(stream, 1, AccessLogType.TcpUpstreamConnected, after))
        .as("a connect entry")
        .isTrue();
    assertThat(tcpOpened(stream, 1, AccessLogType.TcpConnectionEnd, after))
        .as("the end of that connection")
        .isFalse();
    assertThat(tcpOpened(stream, 2, AccessLogType.TcpConnectionEnd, after))
        .as("the end of one with no connect entry (UF), started on this stream")
        .isTrue();
    assertThat(tcpOpened(stream, 3, AccessLogType.TcpConnectionEnd, before))
        .as("the end of one opened before this stream: an earlier stream counted its connect")
        .isFalse();
  }

  private boolean tcpOpened(AccessLogDecoder decoder, int n, AccessLogType type, long startSeconds)
      throws InvalidProtocolBufferException {
    var entry = tcp("istio-outbound-tcp-entry").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .setAccessLogType(type)
        .setStartTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(startSeconds))
        .setDownstreamRemoteAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("10.44.1.7").setPortValue(40_000 + n)));
    byte[] bytes = entry.build().toByteArray();
    return decoder.mapTcp(productpage, bytes, 0, bytes.length).toRecord().getConnectionOpened();
  }

  @Test
  void tcpEntriesOfOneConnection_eachCountTheBytesSinceTheConnectionsPreviousEntry()
      throws InvalidProtocolBufferException {
    AccessLogDecoder stream = mapper.newDecoder();
    // Two connections interleaved; Envoy writes each one's running totals in every entry.
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpUpstreamConnected, 0, 0))
        .as("connect entry of the first")
        .containsExactly(0L, 0L);
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpPeriodic, 100, 1_000))
        .as("first periodic entry of the first")
        .containsExactly(100L, 1_000L);
    assertThat(tcpBytes(stream, 2, AccessLogType.TcpPeriodic, 7, 70))
        .as("first entry of the second")
        .containsExactly(7L, 70L);
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpPeriodic, 250, 3_000))
        .as("second periodic entry of the first")
        .containsExactly(150L, 2_000L);
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpConnectionEnd, 300, 3_500))
        .as("end of the first")
        .containsExactly(50L, 500L);
    assertThat(tcpBytes(stream, 2, AccessLogType.TcpConnectionEnd, 9, 75))
        .as("end of the second")
        .containsExactly(2L, 5L);
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpConnectionEnd, 40, 400))
        .as("an end entry of a key already ended counts in full")
        .containsExactly(40L, 400L);
    assertThat(tcpBytes(mapper.newDecoder(), 1, AccessLogType.TcpConnectionEnd, 300, 3_500))
        .as("the only entry of a connection, on another stream")
        .containsExactly(300L, 3_500L);
  }

  @Test
  void tcpConnectionsBeyondTheCollectorsBudget_areForgottenAndCounted()
      throws InvalidProtocolBufferException {
    AccessRecordMapper small =
        new AccessRecordMapper(
            new MappingOptions(
                false, Set.of(), PlainNodeMapping.defaults(), Reporter.REPORTER_SOURCE, 2));
    AccessLogDecoder stream = small.newDecoder();
    tcpBytes(stream, 1, AccessLogType.TcpPeriodic, 10, 10);
    tcpBytes(stream, 2, AccessLogType.TcpPeriodic, 10, 10);
    tcpBytes(stream, 3, AccessLogType.TcpPeriodic, 10, 10);

    assertThat(small.trackedTcpConnections()).as("remembered, at the budget").isEqualTo(2);
    assertThat(stream.takeForgottenTcpConnections()).as("forgotten for room").isOne();
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpPeriodic, 25, 25))
        .as("the forgotten connection's next entry: its totals")
        .containsExactly(25L, 25L);
    stream.close();
    assertThat(small.trackedTcpConnections()).as("after the stream ended").isZero();
  }

  /** The received and sent bytes of a TCP entry of connection {@code n} with these totals. */
  private Long[] tcpBytes(
      AccessLogDecoder decoder, int n, AccessLogType type, long received, long sent)
      throws InvalidProtocolBufferException {
    var entry = tcp("istio-outbound-tcp-entry").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .setAccessLogType(type)
        .setDownstreamRemoteAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("10.44.1.7").setPortValue(40_000 + n)));
    entry.getConnectionPropertiesBuilder().setReceivedBytes(received).setSentBytes(sent);
    byte[] bytes = entry.build().toByteArray();
    AccessRecord record = decoder.mapTcp(productpage, bytes, 0, bytes.length).toRecord();
    return new Long[] {record.getRequestBytes(), record.getResponseBytes()};
  }

  @Test
  void istioPeerMetadata_fillsTheOtherSidesWorkloadLabels() {
    AccessRecord inbound = mapper.mapHttp(reviews, http("istio-inbound-http-entry-with-peer"));

    assertThat(inbound.getSource())
        .as("source at the destination's proxy, from downstream_peer")
        .isEqualTo(PRODUCTPAGE_FROM_PEER_METADATA);
    assertThat(inbound.getDestination())
        .as("the reporting side is the node's, as without peer metadata")
        .isEqualTo(mapper.mapHttp(reviews, http("istio-inbound-http-entry")).getDestination());

    AccessRecord outbound =
        mapper.mapHttp(productpage, http("istio-outbound-grpc-entry-with-peer"));
    assertThat(outbound.getDestination())
        .as("destination at the source's proxy, from upstream_peer")
        .isEqualTo(
            Peer.newBuilder()
                .setService("reviews.default.svc.cluster.local")
                .setServiceName("reviews")
                .setServiceNamespace("default")
                .setWorkload("reviews-v2")
                .setNamespace("default")
                .setApp("reviews")
                .setVersion("v2")
                .setMeshCluster("Kubernetes")
                .setCanonicalService("reviews")
                .setCanonicalRevision("v2")
                .build());
    assertThat(outbound.getDestination().getPrincipal())
        .as("no principal from the metadata's identity: only a verified certificate names one")
        .isEmpty();
  }

  @Test
  void waypointEntry_isReportedByTheWaypoint_withBothPeersAndTheEndpointItPicked() {
    NodeIdentity waypoint = resolver.resolve(node("istio-waypoint-node"));

    AccessRecord record = mapper.mapHttp(waypoint, http("istio-waypoint-http-entry-with-peers"));

    assertThat(record.getReporter()).as("reporter").isEqualTo(Reporter.REPORTER_WAYPOINT);
    assertThat(record.getCluster()).as("cluster").isEqualTo("reviews.default.svc.cluster.local");
    assertThat(record.getSubset()).as("subset after the protocol").isEqualTo("v2");
    assertThat(record.getEndpoint().getAddress())
        .as("the pod behind connect_originate")
        .isEqualTo("10.44.3.17");
    assertThat(record.getEndpoint().getPort()).as("port").isEqualTo(9080);
    assertThat(record.getSource())
        .as("the calling workload, from downstream_peer and its certificate, not the waypoint")
        .isEqualTo(PRODUCTPAGE_FROM_PEER_METADATA);
    assertThat(record.getDestination().getWorkload())
        .as("the destination workload, from upstream_peer")
        .isEqualTo("reviews-v2");
    assertThat(record.getDestination().getService())
        .as("the destination service, from the cluster")
        .isEqualTo("reviews.default.svc.cluster.local");
    assertThat(record.getConnectionSecurityPolicy())
        .as("the caller presented a certificate")
        .isEqualTo("mutual_tls");
    assertThat(new String(RecordKeys.of(record).getBytes(UTF_8), UTF_8))
        .as("keyed as a sidecar's record of the same endpoint")
        .isEqualTo("reviews.default.svc.cluster.local/10.44.3.17:9080");
  }

  @Test
  void internalUpstreamAddress_yieldsTheEndpointOnlyFromAnIpAndPortId() {
    NodeIdentity waypoint = resolver.resolve(node("istio-waypoint-node"));

    assertThat(endpointOf(waypoint, "[fd00:44::17]:9080"))
        .as("IPv6 in brackets")
        .isEqualTo("fd00:44::17:9080");
    assertThat(endpointOf(waypoint, "")).as("no id").isEqualTo(":0");
    assertThat(endpointOf(waypoint, "10.44.3.17")).as("no port").isEqualTo(":0");
    assertThat(endpointOf(waypoint, "10.44.3.17:http")).as("named port").isEqualTo(":0");
    assertThat(endpointOf(waypoint, "fd00::17:9080")).as("IPv6 without brackets").isEqualTo(":0");
    assertThat(endpointOf(waypoint, "10.44.3.17:99999")).as("port out of range").isEqualTo(":0");
  }

  private String endpointOf(NodeIdentity node, String endpointId) {
    var entry = http("istio-waypoint-http-entry-with-peers").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .getUpstreamRemoteAddressBuilder()
        .getEnvoyInternalAddressBuilder()
        .setEndpointId(endpointId);
    AccessRecord record = mapper.mapHttp(node, entry.build());
    return record.getEndpoint().getAddress() + ":" + record.getEndpoint().getPort();
  }

  @Test
  void peerMetadataThatIsNotAReadableStruct_isLeftOutAndCounted()
      throws InvalidProtocolBufferException {
    var entry = http("istio-inbound-http-entry-with-peer").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .putFilterStateObjects("downstream_peer", EnvoyFixtures.unreadablePeerMetadata());
    byte[] bytes = entry.build().toByteArray();
    AccessLogDecoder stream = mapper.newDecoder();

    AccessRecord first = stream.mapHttp(reviews, bytes, 0, bytes.length).toRecord();
    AccessRecord second = stream.mapHttp(reviews, bytes, 0, bytes.length).toRecord();

    assertThat(first)
        .as("mapped as without peer metadata")
        .isEqualTo(second)
        .isEqualTo(mapper.mapHttp(reviews, http("istio-inbound-http-entry")));
    assertThat(stream.takeUnreadablePeerMetadata()).as("counted per entry").isEqualTo(2);
    assertThat(stream.takeUnreadablePeerMetadata()).as("taken").isZero();
  }

  @Test
  void theSamePeerInAnotherFieldOrderOrFromAnotherPod_isMappedOnceAndTheSame()
      throws InvalidProtocolBufferException {
    AccessLogDecoder stream = mapper.newDecoder();
    byte[] first =
        withPeer(
            "downstream_peer",
            struct("workload", "productpage-v1", "name", "productpage-v1-a", "version", "v1"));
    byte[] second =
        withPeer(
            "downstream_peer",
            struct("version", "v1", "name", "productpage-v1-b", "workload", "productpage-v1"));

    AccessRecord one = stream.mapHttp(reviews, first, 0, first.length).toRecord();
    AccessRecord two = stream.mapHttp(reviews, second, 0, second.length).toRecord();

    assertThat(two.getSource()).as("the source of both").isEqualTo(one.getSource());
    assertThat(one.getSource().getWorkload()).as("workload").isEqualTo("productpage-v1");
    assertThat(stream.contextsBuilt).as("contexts built for the two entries").isOne();
  }

  @Test
  void anEntryWithoutPeerMetadata_afterOneWithIt_isMappedWithoutIt()
      throws InvalidProtocolBufferException {
    AccessLogDecoder stream = mapper.newDecoder();
    // The first entry sits far into a large buffer; the next one is alone in a small one.
    byte[] peer = withPeer("downstream_peer", struct("workload", "productpage-v1"));
    byte[] large = new byte[10_000 + peer.length];
    System.arraycopy(peer, 0, large, 10_000, peer.length);
    byte[] plain = http("istio-inbound-http-entry").toByteArray();

    AccessRecord first = stream.mapHttp(reviews, large, 10_000, peer.length).toRecord();
    AccessRecord next = stream.mapHttp(reviews, plain, 0, plain.length).toRecord();

    assertThat(first.getSource().getWorkload()).as("with metadata").isEqualTo("productpage-v1");
    assertThat(next)
        .as("without: as a fresh stream maps it")
        .isEqualTo(mapper.mapHttp(reviews, http("istio-inbound-http-entry")));
  }

  @Test
  void peerMetadataRepeatedOnTheWire_readsAsProtobufMergesIt()
      throws InvalidProtocolBufferException {
    // A Struct whose fields come twice: the later one replaces; a number is no string.
    byte[] merged =
        concat(
            struct("workload", "ratings-v1", "version", "v1", "app", "ratings").toByteArray(),
            struct("workload", "ratings-v2").toByteArray(),
            Struct.newBuilder()
                .putFields("version", Value.newBuilder().setNumberValue(2).build())
                .build()
                .toByteArray());
    // The Any with its value before its type, as a writer may order them.
    byte[] any =
        concat(
            field(2, merged),
            field(1, "type.googleapis.com/google.protobuf.Struct".getBytes(UTF_8)));
    byte[] entry =
        concat(
            withPeer("downstream_peer", struct("workload", "replaced")),
            field(
                1, field(21, concat(field(1, "downstream_peer".getBytes(UTF_8)), field(2, any)))));
    AccessLogDecoder stream = mapper.newDecoder();

    Peer source = stream.mapHttp(reviews, entry, 0, entry.length).toRecord().getSource();

    assertThat(source.getWorkload())
        .as("the later filter state entry, its later field")
        .isEqualTo("ratings-v2");
    assertThat(source.getApp()).as("a field given once").isEqualTo("ratings");
    assertThat(source.getVersion()).as("a field whose later value is a number").isEmpty();
    assertThat(stream.takeUnreadablePeerMetadata()).as("unreadable").isZero();
  }

  @Test
  void peerMetadataOfAnotherType_isUnreadable() throws InvalidProtocolBufferException {
    byte[] entry =
        withPeer("downstream_peer", null, Any.pack(StringValue.of("productpage-v1")).toByteArray());
    AccessLogDecoder stream = mapper.newDecoder();

    AccessRecord record = stream.mapHttp(reviews, entry, 0, entry.length).toRecord();

    assertThat(record.getSource().getWorkload()).as("workload").isEmpty();
    assertThat(stream.takeUnreadablePeerMetadata()).as("counted").isOne();
  }

  @Test
  void tcpEntryWithUpstreamPeer_namesTheDestinationWorkload() {
    var entry = tcp("istio-outbound-tcp-entry").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .putFilterStateObjects(
            "upstream_peer", Any.pack(struct("workload", "mongodb-0", "app", "mongodb")));

    AccessRecord record = mapper.mapTcp(productpage, entry.build());

    assertThat(record.getDestination().getWorkload()).as("workload").isEqualTo("mongodb-0");
    assertThat(record.getDestination().getApp()).as("app").isEqualTo("mongodb");
    assertThat(record.getDestination().getService())
        .as("service, from the cluster")
        .isEqualTo("mongodb.storage.svc.cluster.local");
  }

  @Test
  void tcpEntriesOfOtherTypes_countTheirTotalsAndAreNotRemembered()
      throws InvalidProtocolBufferException {
    AccessLogDecoder stream = mapper.newDecoder();
    tcpBytes(stream, 1, AccessLogType.TcpPeriodic, 100, 1_000);
    assertThat(tcpBytes(stream, 1, AccessLogType.DownstreamEnd, 150, 1_500))
        .as("a type not of a TCP connection: its totals")
        .containsExactly(150L, 1_500L);
    assertThat(tcpBytes(stream, 1, AccessLogType.TcpPeriodic, 250, 3_000))
        .as("the connection's next periodic entry: from its previous one of a connection type")
        .containsExactly(150L, 2_000L);
    tcpBytes(stream, 2, AccessLogType.UdpPeriodic, 10, 10);
    assertThat(tcpBytes(stream, 2, AccessLogType.UdpSessionEnd, 15, 12))
        .as("a UDP session's end")
        .containsExactly(5L, 2L);
    assertThat(tcpBytes(stream, 2, AccessLogType.UdpSessionEnd, 15, 12))
        .as("after its end, forgotten")
        .containsExactly(15L, 12L);
  }

  /** The inbound entry at reviews with filter state object {@code key} holding {@code struct}. */
  private static byte[] withPeer(String key, Struct struct) {
    return withPeer(key, struct, null);
  }

  private static byte[] withPeer(String key, Struct struct, byte[] anyBytes) {
    var entry = http("istio-inbound-http-entry").toBuilder();
    try {
      entry
          .getCommonPropertiesBuilder()
          .putFilterStateObjects(key, struct != null ? Any.pack(struct) : Any.parseFrom(anyBytes));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    return entry.build().toByteArray();
  }

  /** A Struct of string fields, in the order given. */
  private static Struct struct(String... namesAndValues) {
    Struct.Builder struct = Struct.newBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      struct.putFields(
          namesAndValues[i], Value.newBuilder().setStringValue(namesAndValues[i + 1]).build());
    }
    return struct.build();
  }

  /** A length-delimited field {@code number} holding {@code bytes}. */
  private static byte[] field(int number, byte[] bytes) {
    ByteString.Output out = ByteString.newOutput();
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeByteArray(number, bytes);
      coded.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteString().toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteString all = ByteString.EMPTY;
    for (byte[] part : parts) {
      all = all.concat(ByteString.copyFrom(part));
    }
    return all.toByteArray();
  }

  /** An inbound entry at reviews of a request productpage sent over mutual TLS. */
  private static void assertMutualTlsFromProductpageToReviews(AccessRecord record) {
    assertThat(record.getDestination().getPrincipal())
        .as("destination principal")
        .isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
    assertThat(record.getSource().getPrincipal())
        .as("source principal from the peer certificate")
        .isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
    assertThat(record.getConnectionSecurityPolicy()).as("security policy").isEqualTo("mutual_tls");
  }

  /** Whether a TCP entry of {@code type} counts a connection as opened, and as closed. */
  private Boolean[] tcpCounts(AccessLogDecoder decoder, AccessLogType type)
      throws InvalidProtocolBufferException {
    var entry = tcp("istio-outbound-tcp-entry").toBuilder();
    entry.getCommonPropertiesBuilder().setAccessLogType(type);
    byte[] bytes = entry.build().toByteArray();
    AccessRecord record = decoder.mapTcp(productpage, bytes, 0, bytes.length).toRecord();
    return new Boolean[] {record.getConnectionOpened(), record.getConnectionClosed()};
  }

  @Test
  void reusedPeers_areNeverMixedBetweenNodesServicesOrPrincipals() {
    AccessRecord fromProductpage = mapper.mapHttp(productpage, http("istio-outbound-grpc-entry"));
    AccessRecord inboundAtReviews = mapper.mapHttp(reviews, http("istio-inbound-http-entry"));
    var otherService = http("istio-outbound-grpc-entry").toBuilder();
    otherService
        .getCommonPropertiesBuilder()
        .setUpstreamCluster("outbound|9080||ratings.shop.svc.cluster.local");
    AccessRecord toRatings = mapper.mapHttp(reviews, otherService.build());
    AccessRecord again = mapper.mapHttp(productpage, http("istio-outbound-grpc-entry"));

    assertThat(again).as("the same entry mapped twice").isEqualTo(fromProductpage);
    assertThat(toRatings.getSource().getWorkload())
        .as("source workload of the reviews node")
        .isEqualTo(inboundAtReviews.getDestination().getWorkload())
        .isNotEqualTo(fromProductpage.getSource().getWorkload());
    assertThat(toRatings.getDestination().getServiceName()).as("service name").isEqualTo("ratings");
    assertThat(toRatings.getDestination().getServiceNamespace())
        .as("service namespace")
        .isEqualTo("shop");
    assertThat(fromProductpage.getDestination().getServiceName())
        .as("earlier service side unchanged")
        .isEqualTo("reviews");
  }

  @Test
  void inboundPassthroughEntry_isReportedByDestinationAndNamedByItsAuthorityAsIstioDoes() {
    var entry = http("istio-inbound-http-entry").toBuilder();
    entry.getCommonPropertiesBuilder().setUpstreamCluster("InboundPassthroughClusterIpv4");

    AccessRecord record = mapper.mapHttp(reviews, entry.build());

    assertThat(record.getReporter()).as("reporter").isEqualTo(Reporter.REPORTER_DESTINATION);
    assertThat(record.getDestination().getWorkload())
        .as("the node fills the destination side")
        .isEqualTo("reviews-v2");
    assertThat(record.getDestination().getService())
        .as("destination service: the authority")
        .isEqualTo("reviews:9080");
    assertThat(record.getDestination().getServiceName())
        .as("destination service name: the cluster name")
        .isEqualTo("InboundPassthroughClusterIpv4");
    assertThat(record.getDestination().getServiceNamespace())
        .as("destination service namespace: the node's")
        .isEqualTo("default");
    assertMutualTlsFromProductpageToReviews(record);
    assertThat(record.getCluster())
        .as("the record keeps the cluster name")
        .isEqualTo("InboundPassthroughClusterIpv4");
    assertThat(record.getSubset()).as("subset").isEmpty();
  }

  @Test
  void inboundPassthroughEntries_ofOneStreamKeepTheirOwnAuthority()
      throws InvalidProtocolBufferException {
    AccessLogDecoder decoder = mapper.newDecoder();
    MappedAccess first =
        passthroughMapped(decoder, passthrough("InboundPassthroughCluster", "a:80"));
    MappedAccess second = passthroughMapped(decoder, passthrough("InboundPassthroughCluster", ""));
    MappedAccess third =
        passthroughMapped(decoder, passthrough("InboundPassthroughCluster", "a:80"));

    assertThat(first.reporter()).as("reporter").isEqualTo(Reporter.REPORTER_DESTINATION);
    assertThat(first.destination().getService()).as("first authority").isEqualTo("a:80");
    assertThat(second.destination().getService())
        .as("no authority: the workload's canonical service, as Istio")
        .isEqualTo("reviews");
    assertThat(third.destination()).as("same authority again").isEqualTo(first.destination());
  }

  @Test
  void inboundPassthroughTcpEntry_isReportedByDestinationNamedByTheCanonicalService() {
    var entry = tcp("istio-outbound-tcp-entry").toBuilder();
    entry.getCommonPropertiesBuilder().setUpstreamCluster("InboundPassthroughClusterIpv6");

    AccessRecord record = mapper.mapTcp(reviews, entry.build());

    assertThat(record.getReporter()).as("reporter").isEqualTo(Reporter.REPORTER_DESTINATION);
    assertThat(record.getDestination().getWorkload()).as("workload").isEqualTo("reviews-v2");
    assertThat(record.getDestination().getService()).as("service").isEqualTo("reviews");
    assertThat(record.getDestination().getServiceName())
        .as("service name")
        .isEqualTo("InboundPassthroughClusterIpv6");
  }

  @Test
  void outboundPassthrough_isReportedBySource_withTheRequestsAuthorityAsItsService() {
    var entry = http("istio-outbound-grpc-entry").toBuilder();
    entry.getCommonPropertiesBuilder().setUpstreamCluster("PassthroughCluster");
    entry.getRequestBuilder().setAuthority("api.example.com");
    AccessRecordMapper destinationByDefault =
        new AccessRecordMapper(
            new MappingOptions(
                false, Set.of(), PlainNodeMapping.defaults(), Reporter.REPORTER_DESTINATION));

    for (AccessRecordMapper m : List.of(mapper, destinationByDefault)) {
      AccessRecord record = m.mapHttp(productpage, entry.build());

      assertThat(record.getReporter())
          .as("logged by the source's proxy, whatever the default reporter")
          .isEqualTo(Reporter.REPORTER_SOURCE);
      assertThat(record.getCluster()).as("cluster").isEqualTo("PassthroughCluster");
      assertThat(record.getDestination().getService())
          .as("Istio's host header fallback")
          .isEqualTo("api.example.com");
      assertThat(record.getDestination().getServiceName()).isEqualTo("PassthroughCluster");
      assertThat(record.getDestination().getServiceNamespace()).isEmpty();
    }
  }

  @Test
  void outboundWithALocalCertificate_takesItsSpiffeIdOverTheNodes() {
    // A gateway whose callers use mutual TLS logs its own certificate on the downstream side.
    var entry = http("istio-outbound-grpc-entry").toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .getTlsPropertiesBuilder()
        .getLocalCertificatePropertiesBuilder()
        .addSubjectAltNameBuilder()
        .setUri("spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway");

    AccessRecord record = mapper.mapHttp(productpage, entry.build());

    assertThat(record.getSource().getPrincipal())
        .isEqualTo("spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway");
  }

  @Test
  void outboundToAClusterOutsideTheMesh_hasNoSourcePrincipal() {
    var entry = http("istio-outbound-grpc-entry").toBuilder();
    entry.getCommonPropertiesBuilder().setUpstreamCluster("PassthroughCluster");

    AccessRecord record = mapper.mapHttp(productpage, entry.build());

    assertThat(record.getReporter()).isEqualTo(Reporter.REPORTER_SOURCE);
    assertThat(record.getSource().getWorkload()).isEqualTo("productpage-v1");
    assertThat(record.getSource().getPrincipal())
        .as("no mutual TLS to an upstream outside the mesh: Istio's unknown")
        .isEmpty();
  }

  @Test
  void mappedEntries_carryTheReportingNodesCanonicalServiceAndRevision()
      throws InvalidProtocolBufferException {
    AccessLogDecoder decoder = mapper.newDecoder();
    byte[] inbound = http("istio-inbound-http-entry").toByteArray();
    byte[] outbound = tcp("istio-outbound-tcp-entry").toByteArray();

    MappedAccess atReviews = decoder.mapHttp(reviews, inbound, 0, inbound.length);
    MappedAccess atProductpage = decoder.mapTcp(productpage, outbound, 0, outbound.length);

    assertThat(atReviews.canonicalService()).as("reviews service").isEqualTo("reviews");
    assertThat(atReviews.canonicalRevision()).as("reviews revision").isEqualTo("v2");
    assertThat(atProductpage.canonicalService()).as("productpage").isEqualTo("productpage");
    assertThat(atProductpage.canonicalRevision()).as("productpage revision").isEqualTo("v1");
  }

  private MappedAccess passthroughMapped(AccessLogDecoder decoder, byte[] bytes)
      throws InvalidProtocolBufferException {
    return decoder.mapHttp(reviews, bytes, 0, bytes.length);
  }

  private static byte[] passthrough(String cluster, String authority) {
    var entry = http("istio-inbound-http-entry").toBuilder();
    entry.getCommonPropertiesBuilder().setUpstreamCluster(cluster);
    entry.getRequestBuilder().setAuthority(authority);
    return entry.build().toByteArray();
  }
}
