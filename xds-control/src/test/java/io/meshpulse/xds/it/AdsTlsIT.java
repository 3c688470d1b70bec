package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADS over mutual TLS, as a proxy with a mesh certificate reaches it: a client of the trusted CA
 * gets its clusters, a plaintext client or one without a certificate gets nothing; a renewal of the
 * files (certificate and client CA of another authority) serves new connections without a restart.
 */
class AdsTlsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path dir;

  private static EmbeddedKafka kafka;
  private static XdsControlHarness app;
  private static TestCertificates before;
  private static TestCertificates after;
  private static Path served;

  @BeforeAll
  static void start() throws Exception {
    before = TestCertificates.generate(Files.createDirectory(dir.resolve("before")));
    after = TestCertificates.generate(Files.createDirectory(dir.resolve("after")));
    served = Files.createDirectory(dir.resolve("served"));
    before.install(served);
    kafka = XdsControlHarness.startKafka();
    Path topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "ads-tls-it",
            "meshpulse.xds.ads.tls.enabled=true",
            "meshpulse.xds.ads.tls.cert-chain=" + served.resolve("tls.crt"),
            "meshpulse.xds.ads.tls.private-key=" + served.resolve("tls.key"),
            "meshpulse.xds.ads.tls.trust-ca=" + served.resolve("ca.crt"),
            "meshpulse.xds.ads.tls.reload-interval=1s");
    app.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(app, kafka);
  }

  @Test
  void proxiesWithoutATrustedCertificate_getNoConfiguration_andARenewalNeedsNoRestart()
      throws Exception {
    assertThat(subscribe(client(before, true))).as("a proxy of the CA").isEqualTo(Status.Code.OK);
    assertThat(subscribe(client(before, false)))
        .as("a proxy without a client certificate")
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            subscribe(
                NettyChannelBuilder.forAddress("127.0.0.1", app.adsPort()).usePlaintext().build()))
        .as("a plaintext proxy")
        .isNotEqualTo(Status.Code.OK);
    assertThat(subscribe(client(after, true)))
        .as("a proxy of another CA, before the renewal")
        .isEqualTo(Status.Code.UNAVAILABLE);

    after.install(served);

    Instant deadline = Instant.now().plus(TIMEOUT);
    Status.Code renewed = subscribe(client(after, true));
    while (renewed != Status.Code.OK && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      renewed = subscribe(client(after, true));
    }
    assertThat(renewed).as("a proxy of the new CA, after the renewal").isEqualTo(Status.Code.OK);
    assertThat(subscribe(client(before, true)))
        .as("a proxy of the old CA, after the renewal")
        .isEqualTo(Status.Code.UNAVAILABLE);
    String metrics = app.get("/actuator/prometheus").body();
    assertThat(metrics.lines())
        .as("TLS meters of the ADS listener")
        .contains("meshpulse_tls_reloads_total{listener=\"xds-ads\",result=\"success\"} 1.0")
        .contains("meshpulse_tls_reloads_total{listener=\"xds-ads\",result=\"failure\"} 0.0")
        .contains("meshpulse_tls_files_rejected{listener=\"xds-ads\"} 0.0")
        .anyMatch(
            line ->
                line.startsWith(
                    "meshpulse_tls_certificate_expiry_timestamp_seconds{listener=\"xds-ads\"}"));
  }

  private static ManagedChannel client(TestCertificates authority, boolean withCertificate)
      throws IOException {
    SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(authority.caCert().toFile());
    if (withCertificate) {
      ssl.keyManager(authority.clientCert().toFile(), authority.clientKey().toFile());
    }
    return NettyChannelBuilder.forAddress("127.0.0.1", app.adsPort())
        .overrideAuthority("localhost")
        .sslContext(ssl.build())
        .build();
  }

  /**
   * Subscribes to the clusters over a new connection: {@code OK} once a response came, else the
   * stream's status.
   */
  private static Status.Code subscribe(ManagedChannel channel) throws Exception {
    CompletableFuture<Status.Code> result = new CompletableFuture<>();
    try {
      StreamObserver<DiscoveryRequest> requests =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .streamAggregatedResources(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                      result.complete(Status.Code.OK);
                    }

                    @Override
                    public void onError(Throwable t) {
                      result.complete(Status.fromThrowable(t).getCode());
                    }

                    @Override
                    public void onCompleted() {
                      result.complete(Status.Code.CANCELLED);
                    }
                  });
      requests.onNext(
          DiscoveryRequest.newBuilder()
              .setNode(Node.newBuilder().setId("tls-proxy").setCluster("test"))
              .setTypeUrl(CLUSTER_TYPE_URL)
              .build());
      return result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow();
    }
  }
}
