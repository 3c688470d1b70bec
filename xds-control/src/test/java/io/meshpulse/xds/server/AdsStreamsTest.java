package io.meshpulse.xds.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class AdsStreamsTest {
  private static final Node GATEWAY = Node.newBuilder().setId("router~10.0.0.9~gw.mesh").build();
  private static final String EDS = "ClusterLoadAssignment";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AdsStreams streams = new AdsStreams(registry);

  private static DiscoveryRequest request(String type, String nonce) {
    return DiscoveryRequest.newBuilder().setTypeUrl(type).setResponseNonce(nonce).build();
  }

  private static DiscoveryRequest nack(String type, String nonce) {
    return request(type, nonce).toBuilder()
        .setErrorDetail(Status.newBuilder().setCode(3).setMessage("rejected"))
        .build();
  }

  private void respond(long stream, String type, String nonce, String version) {
    streams.onV3StreamResponse(
        stream,
        request(type, ""),
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setNonce(nonce)
            .setVersionInfo(version)
            .build());
  }

  private AdsStreams.Context ask(long stream, DiscoveryRequest request) {
    streams.onV3StreamRequest(stream, request);
    AdsStreams.Context context = streams.take(request);
    assertThat(context).as("context of the request just seen").isNotNull();
    return context;
  }

  @Test
  void aRequestWithoutANode_getsTheNodeOfItsStreamsFirstRequest() {
    streams.onStreamOpen(1, "");
    ask(1, request(LISTENER_TYPE_URL, "").toBuilder().setNode(GATEWAY).build());

    AdsStreams.Context later = ask(1, request(ENDPOINT_TYPE_URL, ""));

    assertThat(later.node()).isEqualTo(GATEWAY);
  }

  @Test
  void aNackOfTheLatestResponse_namesItsVersion_andCountsTheStreamAsRejecting() {
    streams.onStreamOpen(1, "");
    respond(1, ENDPOINT_TYPE_URL, "0", "v1");

    AdsStreams.Context rejected = ask(1, nack(ENDPOINT_TYPE_URL, "0"));

    assertThat(rejected.rejectedVersion()).isEqualTo("v1");
    assertThat(streams.rejecting(EDS)).isEqualTo(1);
    assertThat(registry.scrape())
        .contains("meshpulse_xds_rejecting_streams{type=\"ClusterLoadAssignment\"} 1.0");

    respond(1, ENDPOINT_TYPE_URL, "1", "v2");
    AdsStreams.Context accepted =
        ask(1, request(ENDPOINT_TYPE_URL, "1").toBuilder().setVersionInfo("v2").build());

    assertThat(accepted.rejectedVersion()).as("an ACK rejects nothing").isNull();
    assertThat(streams.rejecting(EDS)).as("after an ACK of the next version").isZero();
  }

  @Test
  void aRequestWithTheLatestNonceButAnOlderVersion_isNoAck() {
    streams.onStreamOpen(1, "");
    respond(1, ENDPOINT_TYPE_URL, "0", "v1");
    ask(1, request(ENDPOINT_TYPE_URL, "0").toBuilder().setVersionInfo("v1").build());
    respond(1, ENDPOINT_TYPE_URL, "1", "v2");
    ask(1, nack(ENDPOINT_TYPE_URL, "1").toBuilder().setVersionInfo("v1").build());

    // Envoy clears the error after a NACK; a change of names resends the nonce with what it holds.
    ask(
        1,
        request(ENDPOINT_TYPE_URL, "1").toBuilder()
            .setVersionInfo("v1")
            .addResourceNames("outbound|9080||reviews")
            .build());

    assertThat(streams.rejecting(EDS))
        .as("still on the version before the rejected one")
        .isEqualTo(1);
  }

  @Test
  void aNackOfAnOlderResponse_changesNothing() {
    streams.onStreamOpen(1, "");
    respond(1, ENDPOINT_TYPE_URL, "0", "v1");
    respond(1, ENDPOINT_TYPE_URL, "1", "v2");

    AdsStreams.Context stale = ask(1, nack(ENDPOINT_TYPE_URL, "0"));

    assertThat(stale.rejectedVersion()).isNull();
    assertThat(streams.rejecting(EDS)).isZero();
  }

  @Test
  void aClosedStream_noLongerCountsAsRejecting() {
    streams.onStreamOpen(1, "");
    streams.onStreamOpen(2, "");
    respond(1, ENDPOINT_TYPE_URL, "0", "v1");
    respond(2, ENDPOINT_TYPE_URL, "0", "v1");
    ask(1, nack(ENDPOINT_TYPE_URL, "0"));
    ask(2, nack(ENDPOINT_TYPE_URL, "0"));
    ask(2, nack(ENDPOINT_TYPE_URL, "0"));
    assertThat(streams.rejecting(EDS)).as("two streams, one counted once").isEqualTo(2);

    streams.onStreamClose(1, "");
    streams.onStreamCloseWithError(2, "", new RuntimeException("reset"));

    assertThat(streams.rejecting(EDS)).isZero();
  }

  @Test
  void aPerTypeStreamsRequests_takeTheStreamsType() {
    streams.onStreamOpen(3, ENDPOINT_TYPE_URL);
    respond(3, ENDPOINT_TYPE_URL, "0", "v1");

    AdsStreams.Context rejected = ask(3, nack("", "0"));

    assertThat(streams.typeOf(3, "")).isEqualTo(EDS);
    assertThat(rejected.rejectedVersion()).isEqualTo("v1");
    assertThat(streams.rejecting(EDS)).isEqualTo(1);
  }

  @Test
  void theContext_isHandedOnlyForTheRequestItWasStoredFor_andOnce() {
    streams.onStreamOpen(1, "");
    DiscoveryRequest seen = request(LISTENER_TYPE_URL, "").toBuilder().setNode(GATEWAY).build();
    streams.onV3StreamRequest(1, seen);

    assertThat(streams.take(seen.toBuilder().build()))
        .as("an equal request that is not the one seen")
        .isNull();
    streams.onV3StreamRequest(1, seen);
    assertThat(streams.take(seen)).isNotNull();
    assertThat(streams.take(seen)).as("taken twice").isNull();
  }
}
