package io.meshpulse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA with a server certificate (127.0.0.1, localhost) and a client certificate, as PEM
 * files (PKCS#8 keys) in a directory, generated at test time.
 */
public record TestCertificates(
    Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

  public static TestCertificates generate(Path dir) {
    Instant now = Instant.now();
    return generate(dir, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
  }

  /**
   * As {@link #generate(Path)}, with a server certificate valid from {@code notBefore} to {@code
   * notAfter}.
   */
  public static TestCertificates generate(Path dir, Instant notBefore, Instant notAfter) {
    try {
      KeyPair caKeys = keyPair();
      X500Name caName = new X500Name("CN=meshpulse test CA");
      X509v3CertificateBuilder ca = builder(caName, caName, caKeys, 1);
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      ca.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKeys);

      KeyPair serverKeys = keyPair();
      X509v3CertificateBuilder server =
          builder(caName, new X500Name("CN=collector"), serverKeys, 2, notBefore, notAfter);
      server.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
      server.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509Certificate serverCert = sign(server, caKeys);

      KeyPair clientKeys = keyPair();
      X509v3CertificateBuilder client = builder(caName, new X500Name("CN=envoy"), clientKeys, 3);
      client.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName(
                  GeneralName.uniformResourceIdentifier,
                  "spiffe://cluster.local/ns/default/sa/envoy")));
      client.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      X509Certificate clientCert = sign(client, caKeys);

      TestCertificates files =
          new TestCertificates(
              dir.resolve("ca.pem"),
              dir.resolve("server.pem"),
              dir.resolve("server-key.pem"),
              dir.resolve("client.pem"),
              dir.resolve("client-key.pem"));
      pem(files.caCert(), caCert);
      pem(files.serverCert(), serverCert);
      pem(files.serverKey(), new JcaPKCS8Generator(serverKeys.getPrivate(), null));
      pem(files.clientCert(), clientCert);
      pem(files.clientKey(), new JcaPKCS8Generator(clientKeys.getPrivate(), null));
      return files;
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the server's certificate, its key and the CA into {@code dir} as {@code tls.crt}, {@code
   * tls.key} and {@code ca.crt} (the keys of a Kubernetes TLS secret), each written beside its
   * place and moved over the old file, as a secret volume update replaces them.
   */
  public void install(Path dir) {
    try {
      replace(serverCert, dir.resolve("tls.crt"));
      replace(serverKey, dir.resolve("tls.key"));
      replace(caCert, dir.resolve("ca.crt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void replace(Path from, Path to) throws IOException {
    Path next = to.resolveSibling(to.getFileName() + ".next");
    Files.copy(from, next, StandardCopyOption.REPLACE_EXISTING);
    Files.move(next, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, long serial) {
    Instant now = Instant.now();
    return builder(
        issuer,
        subject,
        keys,
        serial,
        now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)));
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer,
      X500Name subject,
      KeyPair keys,
      long serial,
      Instant notBefore,
      Instant notAfter) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(serial),
        Date.from(notBefore),
        Date.from(notAfter),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static void pem(Path file, Object object) throws IOException {
    try (Writer writer = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(writer)) {
      pem.writeObject(object);
    }
  }
}
