package io.meshpulse.sim.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.meshpulse.sim.model.Outcome;
import io.meshpulse.sim.model.ResponseFlag;
import org.junit.jupiter.api.Test;

class AccessLogEntriesTest {
  final AccessLogEntries entries = new AccessLogEntries("127.0.0.7");

  @Test
  void httpEntry_carriesClusterHostTimingAndFlags() {
    Outcome o =
        new Outcome(
            42.5,
            503,
            -1,
            ResponseFlag.UPSTREAM_CONNECTION_FAILURE,
            "upstream_reset_before_response_started{connection_failure}");
    HTTPAccessLogEntry e =
        entries.build(
            new RequestRecord(
                1_700_000_000_123L,
                "reviews",
                9080,
                false,
                "outbound|9080|v1|reviews",
                "127.0.0.1:9103",
                "v1",
                o,
                5));
    var c = e.getCommonProperties();
    assertThat(c.getUpstreamCluster()).as("cluster").isEqualTo("outbound|9080|v1|reviews");
    assertThat(c.getUpstreamRemoteAddress().getSocketAddress().getPortValue())
        .as("upstream port")
        .isEqualTo(9103);
    assertThat(c.getDownstreamRemoteAddress().getSocketAddress().getAddress())
        .as("downstream")
        .isEqualTo("127.0.0.7");
    assertThat(c.getStartTime().getSeconds()).as("start s").isEqualTo(1_700_000_000L);
    assertThat(c.getStartTime().getNanos()).as("start ns").isEqualTo(123_000_000);
    assertThat(c.getTimeToLastDownstreamTxByte().getNanos()).as("latency").isEqualTo(42_500_000);
    assertThat(c.getResponseFlags().getUpstreamConnectionFailure()).as("UF").isTrue();
    assertThat(e.getResponse().getResponseCode().getValue()).as("code").isEqualTo(503);
    assertThat(e.getRequest().getAuthority()).as("authority").isEqualTo("reviews:9080");
    assertThat(e.getResponse().getResponseTrailersMap()).as("no grpc trailer").isEmpty();
    Struct peer = unpack(c.getFilterStateObjectsMap().get("upstream_peer"));
    assertThat(peer.getFieldsMap().get("workload").getStringValue())
        .as("upstream workload")
        .isEqualTo("reviews-v1");
    assertThat(peer.getFieldsMap().get("version").getStringValue())
        .as("upstream version")
        .isEqualTo("v1");
    assertThat(peer.getFieldsMap().get("service").getStringValue())
        .as("upstream canonical service")
        .isEqualTo("reviews");
  }

  private static Struct unpack(com.google.protobuf.Any any) {
    assertThat(any).as("upstream_peer").isNotNull();
    try {
      return any.unpack(Struct.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void grpcEntry_carriesTheGrpcStatusTrailer() {
    Outcome o = new Outcome(3, 200, 14, ResponseFlag.NONE, "via_upstream");
    HTTPAccessLogEntry e =
        entries.build(
            new RequestRecord(
                1_000,
                "ratings",
                9081,
                true,
                "outbound|9081|v1|ratings",
                "127.0.0.1:9201",
                "",
                o,
                6));
    assertThat(e.getResponse().getResponseTrailersMap())
        .as("trailer")
        .containsEntry("grpc-status", "14");
    assertThat(e.getProtocolVersion()).as("h2").isEqualTo(HTTPAccessLogEntry.HTTPVersion.HTTP2);
    assertThat(e.getRequest().getRequestMethod().name()).as("method").isEqualTo("POST");
    Struct peer = unpack(e.getCommonProperties().getFilterStateObjectsMap().get("upstream_peer"));
    assertThat(peer.getFieldsMap().get("workload").getStringValue())
        .as("upstream workload of a service without subsets")
        .isEqualTo("ratings");
    assertThat(peer.getFieldsMap()).as("no version label").doesNotContainKey("version");
  }

  @Test
  void noHealthyUpstream_hasNoUpstreamAddressAndFlagUh() {
    Outcome o = new Outcome(0.1, 503, -1, ResponseFlag.NO_HEALTHY_UPSTREAM, "no_healthy_upstream");
    HTTPAccessLogEntry e =
        entries.build(
            new RequestRecord(
                1_000, "reviews", 9080, false, "outbound|9080|v1|reviews", null, "", o, 7));
    assertThat(e.getCommonProperties().hasUpstreamRemoteAddress()).as("no upstream").isFalse();
    assertThat(e.getCommonProperties().getResponseFlags().getNoHealthyUpstream()).as("UH").isTrue();
    assertThat(e.getCommonProperties().getFilterStateObjectsMap())
        .as("no upstream: no peer")
        .isEmpty();
  }
}
