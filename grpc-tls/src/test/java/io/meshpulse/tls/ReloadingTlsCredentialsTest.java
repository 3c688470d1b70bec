package io.meshpulse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.testing.TestCertificates;
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
import java.time.Instant;
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

  @BeforeEach
  void writeCertificates() throws IOException {
    first = TestCertificates.generate(Files.createDirectory(dir.resolve("first")));
    second = TestCertificates.generate(Files.createDirectory(dir.resolve("second")));
    Path served = Files.createDirectory(dir.resolve("served"));
    cert = served.resolve("tls.crt");
    key = served.resolve("tls.key");
    ca = served.resolve("ca.crt");
    install(first);
    registry = new SimpleMeterRegistry();
  }

  @Test
  void load_servesTheConfiguredCertificate_andExportsItsExpiry() throws Exception {
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);

    X509Certificate expected = certificate(first.serverCert());
    assertThat(credentials.servingCertificate()).isEqualTo(expected);
    assertThat(
            registry
                .get("meshpulse.tls.certificate.expiry")
                .tag("listener", "test-listener")
                .gauge()
                .value())
        .isEqualTo(expected.getNotAfter().toInstant().getEpochSecond());
    assertThat(reloads("success")).isZero();
    assertThat(reloads("failure")).isZero();
  }

  @Test
  void unchangedFiles_areNotReloaded() {
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);

    assertThat(credentials.reloadIfChanged()).isFalse();
    assertThat(reloads("success")).isZero();
  }

  @Test
  void renewedFiles_replaceTheCertificateAndTheTrustedCa() throws Exception {
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);

    install(second);

    assertThat(credentials.reloadIfChanged()).isTrue();
    X509Certificate renewed = certificate(second.serverCert());
    assertThat(credentials.servingCertificate()).isEqualTo(renewed);
    assertThat(reloads("success")).isEqualTo(1);
    assertThat(
            registry
                .get("meshpulse.tls.certificate.expiry")
                .tag("listener", "test-listener")
                .gauge()
                .value())
        .isEqualTo(renewed.getNotAfter().toInstant().getEpochSecond());
    assertThat(credentials.reloadIfChanged()).as("the same files again").isFalse();
    assertThat(reloads("success")).isEqualTo(1);
  }

  @Test
  void watch_takesRenewedFilesOnItsOwn_untilClosed() throws Exception {
    X509Certificate renewed = certificate(second.serverCert());
    try (ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry)) {
      credentials.watch(Duration.ofSeconds(1));
      assertThatThrownBy(() -> credentials.watch(Duration.ofSeconds(1)))
          .hasMessageContaining("already watched");
      install(second);

      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!credentials.servingCertificate().equals(renewed) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(credentials.servingCertificate()).isEqualTo(renewed);
      credentials.close();
      install(first);
      Thread.sleep(2_500);
      assertThat(credentials.servingCertificate()).as("not watched once closed").isEqualTo(renewed);
    }
  }

  @Test
  void keyOfAnotherCertificate_isRefusedAfterTwoReads_andTheOldPairStays() throws Exception {
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);
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
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);
    copy(second.serverCert(), cert);
    assertThat(credentials.reloadIfChanged()).isFalse();

    copy(second.serverKey(), key);
    copy(second.caCert(), ca);

    assertThat(credentials.reloadIfChanged()).isTrue();
    assertThat(reloads("failure")).isZero();
  }

  @Test
  void missingFile_keepsTheCredentialsInUse_andCountsOneFailure() throws Exception {
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);
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

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(files(), "test-listener", registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("meshpulse.test.tls.private-key")
        .hasMessageContaining("does not belong to the first certificate of " + cert);
  }

  @Test
  void startWithAMissingFile_failsNamingTheProperty() throws IOException {
    Files.delete(cert);

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(files(), "test-listener", registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("meshpulse.test.tls.cert-chain: cannot read " + cert);
  }

  @Test
  void startWithAKeyThatIsNotPkcs8_saysHowToConvertIt() throws IOException {
    Files.writeString(
        key, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(files(), "test-listener", registry))
        .hasMessageContaining("meshpulse.test.tls.private-key")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void startWithAnEmptyCaBundle_failsNamingTheProperty() throws IOException {
    Files.writeString(ca, "");

    assertThatThrownBy(() -> ReloadingTlsCredentials.load(files(), "test-listener", registry))
        .hasMessageContaining("meshpulse.test.tls.trust-ca")
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void anExpiredCertificate_isRefusedAtStartAndOnReload_andTheValidOneStays() throws Exception {
    Instant now = Instant.now();
    TestCertificates expired =
        TestCertificates.generate(
            Files.createDirectory(dir.resolve("expired")),
            now.minus(Duration.ofDays(30)),
            now.minus(Duration.ofMinutes(1)));
    ReloadingTlsCredentials credentials =
        ReloadingTlsCredentials.load(files(), "test-listener", registry);

    install(expired);
    credentials.reloadIfChanged();
    credentials.reloadIfChanged();

    assertThat(credentials.servingCertificate()).isEqualTo(certificate(first.serverCert()));
    assertThat(rejected()).isEqualTo(1);
    assertThatThrownBy(() -> ReloadingTlsCredentials.load(files(), "other-listener", registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("meshpulse.test.tls.cert-chain")
        .hasMessageContaining(cert + " holds a certificate that expired at");
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

  private TlsFiles files() {
    return new TlsFiles("meshpulse.test.tls", cert, key, ca);
  }

  private void install(TestCertificates certificates) {
    certificates.install(cert.getParent());
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  private double reloads(String result) {
    return registry
        .get("meshpulse.tls.reloads")
        .tags("listener", "test-listener", "result", result)
        .counter()
        .count();
  }

  private double rejected() {
    return registry
        .get("meshpulse.tls.files.rejected")
        .tag("listener", "test-listener")
        .gauge()
        .value();
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
