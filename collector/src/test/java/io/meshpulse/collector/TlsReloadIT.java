package io.meshpulse.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewal as cert-manager does it: the files under the collector are replaced by a certificate
 * and a client CA from another authority, and the running collector serves them to new connections
 * without a restart.
 */
class TlsReloadIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path dir;

  private static EmbeddedKafka kafka;
  private static CollectorRunner collector;
  private static TestCertificates before;
  private static TestCertificates after;
  private static Path served;

  @BeforeAll
  static void start() throws IOException {
    before = TestCertificates.generate(Files.createDirectory(dir.resolve("before")));
    after = TestCertificates.generate(Files.createDirectory(dir.resolve("after")));
    served = Files.createDirectory(dir.resolve("served"));
    before.install(served);
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(MeshTopics.all(1));
    collector =
        CollectorRunner.start(
            kafka.bootstrapServers(),
            "meshpulse.collector.grpc.tls.enabled=true",
            "meshpulse.collector.grpc.tls.cert-chain=" + served.resolve("tls.crt"),
            "meshpulse.collector.grpc.tls.private-key=" + served.resolve("tls.key"),
            "meshpulse.collector.grpc.tls.trust-ca=" + served.resolve("ca.crt"),
            "meshpulse.collector.grpc.tls.reload-interval=1s");
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void renewedCertificateAndCa_serveNewConnectionsWithoutARestart() throws Exception {
    assertThat(stream(before).getCode()).as("a client of the first CA").isEqualTo(Status.Code.OK);
    assertThat(stream(after).getCode())
        .as("a client of the second CA, before the renewal")
        .isEqualTo(Status.Code.UNAVAILABLE);
    int port = collector.grpcPort();

    after.install(served);

    Instant deadline = Instant.now().plus(TIMEOUT);
    Status.Code renewed = stream(after).getCode();
    while (renewed != Status.Code.OK && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      renewed = stream(after).getCode();
    }
    assertThat(renewed)
        .as("a client of the second CA, after the renewal")
        .isEqualTo(Status.Code.OK);
    assertThat(stream(before).getCode())
        .as("a client of the first CA, after the renewal")
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(collector.grpcPort()).as("the same server").isEqualTo(port);
    String metrics = collector.scrape();
    assertThat(metrics.lines())
        .as("the TLS metrics the packaged alerts read")
        .anyMatch(
            line -> line.startsWith("meshpulse_tls_files_rejected{listener=\"collector-grpc\"} 0"))
        .anyMatch(
            line -> line.startsWith("meshpulse_tls_reloads_total{listener=\"collector-grpc\""))
        .anyMatch(
            line ->
                line.startsWith(
                    "meshpulse_tls_certificate_expiry_timestamp_seconds{listener=\"collector-grpc\"}"));
    assertThat(
            CollectorRunner.sample(
                metrics,
                "meshpulse_tls_reloads_total{listener=\"collector-grpc\",result=\"success\"}"))
        .isEqualTo(1);
    assertThat(
            CollectorRunner.sample(
                metrics,
                "meshpulse_tls_reloads_total{listener=\"collector-grpc\",result=\"failure\"}"))
        .isZero();
    assertThat(
            CollectorRunner.sample(
                metrics,
                "meshpulse_tls_certificate_expiry_timestamp_seconds{listener=\"collector-grpc\"}"))
        .as("the renewed certificate's expiry, a day from now")
        .isBetween(
            (double) Instant.now().plus(Duration.ofHours(23)).getEpochSecond(),
            (double) Instant.now().plus(Duration.ofHours(25)).getEpochSecond());
  }

  /** Streams one access log entry over a new connection as a client of {@code authority}. */
  private static Status stream(TestCertificates authority) throws Exception {
    return collector.streamOverTls(
        GrpcSslContexts.forClient()
            .trustManager(authority.caCert().toFile())
            .keyManager(authority.clientCert().toFile(), authority.clientKey().toFile()),
        TIMEOUT);
  }
}
