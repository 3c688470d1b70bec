package io.meshpulse.collector;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MutualTlsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path certDir;

  private static EmbeddedKafka kafka;
  private static CollectorRunner collector;
  private static TestCertificates certs;

  @BeforeAll
  static void start() {
    certs = TestCertificates.generate(certDir);
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(MeshTopics.all(1));
    collector =
        CollectorRunner.start(
            kafka.bootstrapServers(),
            "meshpulse.collector.grpc.tls.enabled=true",
            "meshpulse.collector.grpc.tls.cert-chain=" + certs.serverCert(),
            "meshpulse.collector.grpc.tls.private-key=" + certs.serverKey(),
            "meshpulse.collector.grpc.tls.trust-ca=" + certs.caCert());
  }

  @AfterAll
  static void stop() {
    collector.close();
    kafka.close();
  }

  @Test
  void clientWithACertificateFromTheTrustedCa_canStreamAccessLogs() throws Exception {
    SslContextBuilder ssl =
        GrpcSslContexts.forClient()
            .trustManager(certs.caCert().toFile())
            .keyManager(certs.clientCert().toFile(), certs.clientKey().toFile());

    Status status = stream(ssl);

    assertThat(status.getCode()).as("status with a client certificate").isEqualTo(Status.Code.OK);
  }

  @Test
  void clientWithoutACertificate_isRefused() throws Exception {
    SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(certs.caCert().toFile());

    Status status = stream(ssl);

    assertThat(status.getCode())
        .as("status without a client certificate")
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void plaintextClient_isRefused() {
    ManagedChannel channel = collector.plaintextChannel();
    try {
      Status status =
          EnvoyClient.await(
              EnvoyClient.sendAccessLogs(
                  channel,
                  List.of(
                      EnvoyClient.first(
                          node("plain-envoy-node"), List.of(http("plain-http-entry"))))),
              TIMEOUT);

      assertThat(status.isOk()).as("plaintext accepted").isFalse();
    } finally {
      channel.shutdownNow();
    }
  }

  private static Status stream(SslContextBuilder ssl) throws Exception {
    return collector.streamOverTls(ssl, TIMEOUT);
  }
}
