package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.v1.HealthState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyAdsIT {
  static final List<String> EDS =
      List.of(
          "outbound|9080|v1|reviews",
          "outbound|9080||reviews",
          "outbound|9090|v1|ratings",
          "outbound|9090||ratings");
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration QUIET = Duration.ofMillis(700);

  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static XdsControlHarness.HealthProducer producer;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    Path topology =
        Topologies.write(
            dir,
            Topologies.service("reviews", 9080, "http", 9101, 9102, 9103),
            Topologies.service("ratings", 9090, "http", 9201, 9202, 9203));
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "envoy-ads-it",
            "meshpulse.xds.policy.max-weight-step-percent=50",
            "meshpulse.xds.policy.stale-after=60s",
            "meshpulse.xds.policy.silent-after=90s",
            "meshpulse.xds.policy.hold-for=120s");
    app.awaitReady(Duration.ofSeconds(60));
    producer = new XdsControlHarness.HealthProducer(kafka);
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(producer, app, kafka);
  }

  private static int weightOf(DiscoveryResponse eds, String cluster, int port) throws Exception {
    for (var any : eds.getResourcesList()) {
      ClusterLoadAssignment cla = any.unpack(ClusterLoadAssignment.class);
      if (cla.getClusterName().equals(cluster)) {
        for (LocalityLbEndpoints l : cla.getEndpointsList()) {
          var e = l.getLbEndpoints(0);
          if (e.getEndpoint().getAddress().getSocketAddress().getPortValue() == port) {
            return e.getLoadBalancingWeight().getValue();
          }
        }
      }
    }
    throw new AssertionError("no endpoint " + port + " in " + cluster);
  }

  @Test
  void stateOfTheWorld_versionsNoncesAcks_perClusterPushes_andNacks() throws Exception {
    try (AdsTestClient envoy = new AdsTestClient(app.adsPort(), "envoy-1");
        AdsTestClient ratingsOnly = new AdsTestClient(app.adsPort(), "envoy-2")) {
      DiscoveryResponse cds = envoy.subscribeAndAck(CLUSTER_TYPE_URL, List.of(), WAIT);
      assertThat(cds.getResourcesCount()).as("clusters").isEqualTo(4);
      DiscoveryResponse eds = envoy.subscribeAndAck(ENDPOINT_TYPE_URL, EDS, WAIT);
      assertThat(eds.getResourcesCount()).as("load assignments").isEqualTo(4);
      assertThat(weightOf(eds, "outbound|9080|v1|reviews", 9102))
          .as("neutral weight")
          .isEqualTo(100);
      DiscoveryResponse lds = envoy.subscribeAndAck(LISTENER_TYPE_URL, List.of(), WAIT);
      assertThat(lds.getResourcesCount()).as("listeners").isEqualTo(2);
      DiscoveryResponse rds =
          envoy.subscribeAndAck(ROUTE_TYPE_URL, List.of("reviews", "ratings"), WAIT);
      assertThat(rds.getResourcesCount()).as("routes").isEqualTo(2);
      assertThat(envoy.next(QUIET)).as("nothing more after the ACKs").isNull();

      DiscoveryResponse ratingsEds =
          ratingsOnly.subscribeAndAck(ENDPOINT_TYPE_URL, List.of("outbound|9090|v1|ratings"), WAIT);
      assertThat(ratingsEds.getResourcesCount()).as("ratings only").isEqualTo(1);

      producer.send("reviews", "127.0.0.1", 9102, HealthState.HEALTH_STATE_DEGRADED, 0.5);
      DiscoveryResponse push = envoy.expect(WAIT);
      assertThat(push.getTypeUrl()).as("only EDS is pushed").isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(push.getVersionInfo()).as("new EDS version").isNotEqualTo(eds.getVersionInfo());
      assertThat(push.getNonce()).as("new nonce").isNotEqualTo(eds.getNonce());
      assertThat(weightOf(push, "outbound|9080|v1|reviews", 9102))
          .as("degraded weight")
          .isEqualTo(50);
      assertThat(ratingsOnly.next(QUIET)).as("a watch on another cluster gets no push").isNull();

      double nacksBefore = app.runtime().xdsMetrics().nacks();
      envoy.send(
          AdsTestClient.request(ENDPOINT_TYPE_URL, EDS, eds.getVersionInfo(), push.getNonce())
              .toBuilder()
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage("rejected by test"))
              .build());
      assertThat(envoy.next(QUIET)).as("no resend of a NACKed version, and no other push").isNull();
      assertThat(app.runtime().xdsMetrics().nacks()).as("NACKs counted").isEqualTo(nacksBefore + 1);
      assertThat(app.get("/actuator/prometheus").body())
          .as("pushes metric")
          .contains("meshpulse_xds_pushes_total{type=\"ClusterLoadAssignment\"}");
    }
  }

  @Test
  void aNackOnANewStream_isNotAnsweredWithTheRejectedVersion_butTheNextChangeIsPushed()
      throws Exception {
    try (AdsTestClient envoy = new AdsTestClient(app.adsPort(), "envoy-nack")) {
      List<String> reviews = List.of("outbound|9080|v1|reviews");
      envoy.send(AdsTestClient.request(ENDPOINT_TYPE_URL, reviews, "", ""));
      DiscoveryResponse first = envoy.expect(WAIT);
      // Rejected before anything was accepted on this stream: the stream has no ACKed names.
      for (int i = 0; i < 3; i++) {
        envoy.send(
            AdsTestClient.request(ENDPOINT_TYPE_URL, reviews, "", first.getNonce()).toBuilder()
                .setErrorDetail(Status.newBuilder().setCode(3).setMessage("rejected by test"))
                .build());
      }
      assertThat(envoy.next(QUIET)).as("no resend of the rejected version").isNull();

      producer.send("reviews", "127.0.0.1", 9101, HealthState.HEALTH_STATE_DEGRADED, 0.5);
      DiscoveryResponse next = envoy.expect(WAIT);
      assertThat(next.getVersionInfo()).as("the next change").isNotEqualTo(first.getVersionInfo());
      assertThat(weightOf(next, "outbound|9080|v1|reviews", 9101)).isEqualTo(50);
      producer.send("reviews", "127.0.0.1", 9101, HealthState.HEALTH_STATE_HEALTHY, 0.99);
    }
  }

  @Test
  void aChangePublishedBetweenAResponseAndItsNack_isPushedAtTheNack() throws Exception {
    List<String> ratings = List.of("outbound|9090|v1|ratings");
    // Streams of other tests that rejected a load assignment count until their close is seen.
    XdsControlHarness.await(
        () -> app.runtime().xdsMetrics().rejectingStreams("ClusterLoadAssignment") == 0,
        WAIT,
        "no stream rejecting a load assignment");
    try (AdsTestClient envoy = new AdsTestClient(app.adsPort(), "envoy-nack-race");
        AdsTestClient watcher = new AdsTestClient(app.adsPort(), "envoy-nack-watcher")) {
      watcher.subscribeAndAck(ENDPOINT_TYPE_URL, ratings, WAIT);
      envoy.send(AdsTestClient.request(ENDPOINT_TYPE_URL, ratings, "", ""));
      DiscoveryResponse first = envoy.expect(WAIT);

      // Until the client answers the response, its stream has no open watch to push to.
      producer.send("ratings", "127.0.0.1", 9202, HealthState.HEALTH_STATE_DEGRADED, 0.5);
      DiscoveryResponse published = watcher.expect(WAIT);
      assertThat(weightOf(published, "outbound|9090|v1|ratings", 9202)).isEqualTo(50);
      assertThat(envoy.next(QUIET)).as("nothing before the client answers").isNull();

      envoy.send(
          AdsTestClient.request(ENDPOINT_TYPE_URL, ratings, "", first.getNonce()).toBuilder()
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage("rejected by test"))
              .build());
      DiscoveryResponse next = envoy.expect(WAIT);
      assertThat(next.getVersionInfo())
          .as("the version published since the rejected one")
          .isEqualTo(published.getVersionInfo());
      assertThat(weightOf(next, "outbound|9090|v1|ratings", 9202)).isEqualTo(50);
      assertThat(app.runtime().xdsMetrics().rejectingStreams("ClusterLoadAssignment"))
          .as("streams on a rejected version")
          .isEqualTo(1);
      assertThat(app.get("/actuator/prometheus").body())
          .contains("meshpulse_xds_rejecting_streams{type=\"ClusterLoadAssignment\"} 1.0");

      envoy.send(
          AdsTestClient.request(
              ENDPOINT_TYPE_URL, ratings, next.getVersionInfo(), next.getNonce()));
      XdsControlHarness.await(
          () -> app.runtime().xdsMetrics().rejectingStreams("ClusterLoadAssignment") == 0,
          WAIT,
          "the stream to stop counting as rejecting once it ACKs");
      producer.send("ratings", "127.0.0.1", 9202, HealthState.HEALTH_STATE_HEALTHY, 0.99);
    }
  }

  @Test
  void aStreamThatRejectsAndCloses_noLongerCountsAsRejecting() throws Exception {
    // Listeners: no other test rejects one.
    try (AdsTestClient envoy = new AdsTestClient(app.adsPort(), "envoy-nack-close")) {
      envoy.send(AdsTestClient.request(LISTENER_TYPE_URL, List.of(), "", ""));
      DiscoveryResponse first = envoy.expect(WAIT);
      envoy.send(
          AdsTestClient.request(LISTENER_TYPE_URL, List.of(), "", first.getNonce()).toBuilder()
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage("rejected by test"))
              .build());
      XdsControlHarness.await(
          () -> app.runtime().xdsMetrics().rejectingStreams("Listener") == 1,
          WAIT,
          "the NACK to count");
    }
    XdsControlHarness.await(
        () -> app.runtime().xdsMetrics().rejectingStreams("Listener") == 0,
        WAIT,
        "the closed stream to stop counting");
  }

  @Test
  void aProxylessClientThatSendsItsNodeOnce_isServedAsProxylessOnItsLaterRequests()
      throws Exception {
    // grpc-go sends the node on a stream's first request only.
    Node grpc = Node.newBuilder().setId("grpc-client-2").setUserAgentName("gRPC Go").build();
    try (AdsTestClient client = new AdsTestClient(app.adsPort(), grpc).nodeOnFirstRequestOnly()) {
      DiscoveryResponse first = client.subscribeAndAck(LISTENER_TYPE_URL, List.of("reviews"), WAIT);
      assertThat(first.getResourcesList())
          .extracting(r -> r.unpack(Listener.class).getName())
          .containsExactly("reviews");

      client.send(
          AdsTestClient.request(
              LISTENER_TYPE_URL,
              List.of("reviews", "ratings"),
              first.getVersionInfo(),
              first.getNonce()));
      DiscoveryResponse both = client.expect(WAIT);
      assertThat(both.getResourcesList())
          .as("the proxyless listeners, asked for without a node")
          .extracting(r -> r.unpack(Listener.class).getName())
          .containsExactlyInAnyOrder("reviews", "ratings");
    }
  }

  @Test
  void aProxylessGrpcClient_getsTheListenersThereAre_whenItAlsoAsksForAnUnknownOne()
      throws Exception {
    Node grpc = Node.newBuilder().setId("grpc-client-1").setUserAgentName("gRPC Java").build();
    try (AdsTestClient client = new AdsTestClient(app.adsPort(), grpc)) {
      client.send(
          AdsTestClient.request(LISTENER_TYPE_URL, List.of("reviews", "not-in-topology"), "", ""));
      DiscoveryResponse lds = client.expect(WAIT);
      assertThat(lds.getResourcesList())
          .as("the known target's listener, without waiting for the unknown one")
          .extracting(r -> r.unpack(Listener.class).getName())
          .containsExactly("reviews");
    }
  }

  @Test
  void delta_sendsOnlyTheChangedClustersLoadAssignments() throws Exception {
    try (AdsTestClient envoy = new AdsTestClient(app.adsPort(), "envoy-3")) {
      envoy.sendDelta(DeltaDiscoveryRequest.newBuilder().setTypeUrl(CLUSTER_TYPE_URL).build());
      DeltaDiscoveryResponse cds = envoy.expectDelta(WAIT);
      assertThat(cds.getResourcesCount()).as("clusters").isEqualTo(4);
      envoy.sendDelta(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(CLUSTER_TYPE_URL)
              .setResponseNonce(cds.getNonce())
              .build());
      envoy.sendDelta(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(ENDPOINT_TYPE_URL)
              .addAllResourceNamesSubscribe(EDS)
              .build());
      DeltaDiscoveryResponse eds = envoy.expectDelta(WAIT);
      assertThat(eds.getResourcesList())
          .as("initial load assignments")
          .extracting(Resource::getName)
          .containsExactlyInAnyOrderElementsOf(EDS);
      assertThat(eds.getResourcesList())
          .as("per-resource versions")
          .allMatch(r -> !r.getVersion().isEmpty());
      envoy.sendDelta(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(ENDPOINT_TYPE_URL)
              .setResponseNonce(eds.getNonce())
              .build());
      assertThat(envoy.nextDelta(QUIET)).as("nothing more after the ACKs").isNull();

      producer.send("reviews", "127.0.0.1", 9103, HealthState.HEALTH_STATE_DEGRADED, 0.5);
      DeltaDiscoveryResponse push = envoy.expectDelta(WAIT);
      assertThat(push.getTypeUrl()).as("type").isEqualTo(ENDPOINT_TYPE_URL);
      assertThat(push.getResourcesList())
          .as("only the changed cluster's resources")
          .extracting(Resource::getName)
          .containsExactlyInAnyOrder("outbound|9080|v1|reviews", "outbound|9080||reviews");
      assertThat(push.getRemovedResourcesList()).as("nothing removed").isEmpty();
      envoy.sendDelta(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(ENDPOINT_TYPE_URL)
              .setResponseNonce(push.getNonce())
              .build());
      assertThat(envoy.nextDelta(QUIET)).as("no CDS or other push").isNull();
    }
  }
}
