package io.meshpulse.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.collector.metrics.CollectorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingTlsCredentialsTest {
  @TempDir Path dir;

  private TestCertificates first;
  private TestCertificates second;
  private Path cert;
  private Path key;
  private Path ca;
  private MeterRegistry registry;
  private CollectorMetrics metrics;

  @BeforeEach
  void files() throws IOException {
    first = TestCertificates.generate(Files.createDirectory(dir.resolve("first")));
    second = TestCertificates.generate(Files.createDirectory(dir.resolve("second")));
    Path served = Files.createDirectory(dir.resolve("served"));
    cert = served.resolve("tls.crt");
    key = served.resolve("tls.key");
    ca = served.resolve("ca.crt");
    install(first);
    registry = new SimpleMeterRegistry();
    metrics = new CollectorMetrics(registry);
  }

  @Test
  void load_servesTheConfiguredCertificate_andExportsItsExpiry() throws Exception {
    ReloadingTlsCredentials credentials = ReloadingTlsCredentials.load(config(), metrics);

    X509Certificate expected = certificate(first.serverCert());
    assertThat(credentials.servingCertificate()).isEqualTo(expected);
    assertThat(registry.get("meshpulse.collector.tls.certificate.expiry").gauge().value())
        .isEqualTo(expected.getNotAfter().toInstant().getEpochSecond());
    assertThat(reloads("success")).isZero();
    assertThat(reloads("failure")).isZero();
  }

  @Test
  void unchangedFiles_areNotReloaded() {
    ReloadingTlsCredentials credentials = ReloadingTlsCredentials.load(config(), metrics);

    assertThat(credentials.reloadIfChanged()).isFalse();
    assertThat(reloads("success")).isZero();
  }

  @Test
  void renewedFiles_replaceTheCertificateAndTheTrustedCa() throws Exception {
    ReloadingTlsCredentials credentials = ReloadingTlsCredentials.load(config(), metrics);

    install(second);

    assertThat(credentials.reloadIfChanged()).isTrue();
    X509Certificate renewed = certificate(second.serverCert());
    assertThat(credentials.servingCertificate()).isEqualTo(renewed);
    assertThat(reloads("success")).isEqualTo(1);
    assertThat(registry.get("meshpulse.collector.tls.certificate.expiry").gauge().value())
        .isEqualTo(renewed.getNotAfter().toInstant().getEpochSecond());
    assertThat(credentials.reloadIfChanged()).as("the same files again").isFalse();
    assertThat(reloads("success")).isEqualTo(1);
  }

  @Test
  void keyOfAnotherCertificate_isRefusedAfterTwoReads_andTheOldPairStays() throws Exception {
    ReloadingTlsCredentials credentials = ReloadingTlsCredentials.load(config(), metrics);
    copy(second.serverCert(), cert);

    assertThat(credentials.reloadIfChanged()).isFalse();
    assertThat(reloads("failure")).as("one read may fall between two writes").isZero();
    assertThat(rejected()).isZero();

    assertThat(credentials.reloadIfChanged()).isFalse();
    assertThat(credentials.reloadIfChanged()).isFalse();
    assertThat(reloads("failure")).as("counted once for the same files").isEqualTo(1);
    assertThat(rejected()).isEqualTo(1);
    assertThat(credentials.servingCertificate()).isEqualTo(certificate(first.serverCert()));

    copy(second.serverKey(), key);

    assertThat(credentials.reloadIfChanged()).isTrue();
    assertThat(credentials.servingCertificate()).isEqualTo(certificate(second.serverCert()));
    assertThat(rejected()).isZero();
    assertThat(reloads("failure")).isEqualTo(1);
  }

  @Test
  void keyWrittenJustAfterItsCertificate_isTakenWithoutAFailure() throws Exception {
    ReloadingTlsCredentials credentials = ReloadingTlsCredentials.load(config(), metrics);
    copy(second.serverCert(), cert);
    assertThat(credentials.reloadIfChanged()).isFalse();

    copy(second.serverKey(), key);
    copy(second.caCert(), ca);

    assertThat(credentials.reloadIfChanged()).isTrue();
    assertThat(reloads("failure")).isZero();
  }

  @Test
  void missingFile_keepsTheCredentialsInUse_andCountsOneFailure() throws Exception {
    ReloadingTlsCredentials credentials = ReloadingTlsCredentials.load(config(), metrics);
    Files.delete(key);

    credentials.reloadIfChanged();
    credentials.reloadIfChanged();
    credentials.reloadIfChanged();

    assertThat(reloads("failure")).isEqualTo(1);
    assertThat(rejected()).isEqualTo(1);
    assertThat(credentials.servingCertificate()).isEqualTo(certificate(first.serverCert()));

    copy(first.serverKey(), key);

    assertThat(credentials.reloadIfChanged()).as("back to the files in use").isFalse();
    assertThat(rejected()).isZero();
  }

  @Test
  void startWithAKeyOfAnotherCertificate_failsNamingTheProperty() throws IOException {
    copy(second.serverKey(), key);

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(config(), metrics))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("meshpulse.collector.grpc.tls.private-key")
        .hasMessageContaining("does not belong to the first certificate of " + cert);
  }

  @Test
  void startWithAMissingFile_failsNamingTheProperty() throws IOException {
    Files.delete(cert);

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(config(), metrics))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("meshpulse.collector.grpc.tls.cert-chain: cannot read " + cert);
  }

  @Test
  void startWithAKeyThatIsNotPkcs8_saysHowToConvertIt() throws IOException {
    Files.writeString(
        key, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(config(), metrics))
        .hasMessageContaining("meshpulse.collector.grpc.tls.private-key")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void startWithAnEmptyCaBundle_failsNamingTheProperty() throws IOException {
    Files.writeString(ca, "");

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(config(), metrics))
        .hasMessageContaining("meshpulse.collector.grpc.tls.trust-ca")
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void keyCheck_refusesAKeyOfAnotherType() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    java.security.KeyPair rsaKeys = rsa.generateKeyPair();
    X509Certificate ecCertificate = certificate(first.serverCert());

    assertThat(ReloadingTlsCredentials.matches(rsaKeys.getPrivate(), ecCertificate.getPublicKey()))
        .isFalse();
    assertThat(ReloadingTlsCredentials.matches(rsaKeys.getPrivate(), rsaKeys.getPublic())).isTrue();
  }

  @Test
  void reloadInterval_mustBeZeroOrAtLeastASecond() {
    assertThatThrownBy(
            () -> new CollectorProperties.Tls(true, cert, key, ca, Duration.ofMillis(500)))
        .hasMessageContaining("meshpulse.collector.grpc.tls.reload-interval");
    assertThat(new CollectorProperties.Tls(true, cert, key, ca, Duration.ZERO).reloads()).isFalse();
    assertThat(new CollectorProperties.Tls(true, cert, key, ca, Duration.ofMinutes(1)).reloads())
        .isTrue();
  }

  private CollectorProperties.Tls config() {
    return new CollectorProperties.Tls(true, cert, key, ca, Duration.ofMinutes(1));
  }

  private void install(TestCertificates certificates) throws IOException {
    copy(certificates.serverCert(), cert);
    copy(certificates.serverKey(), key);
    copy(certificates.caCert(), ca);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  private double reloads(String result) {
    return registry.get("meshpulse.collector.tls.reloads").tag("result", result).counter().count();
  }

  private double rejected() {
    return registry.get("meshpulse.collector.tls.files.rejected").gauge().value();
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
