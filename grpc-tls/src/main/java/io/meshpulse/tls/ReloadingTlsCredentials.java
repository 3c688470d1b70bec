package io.meshpulse.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC listener's TLS credentials, read from PEM files: the certificate chain it serves with its
 * private key, and the CA bundle client certificates must chain to (mTLS). {@link #reloadIfChanged}
 * reads the files again and, when their content changed, puts the new credentials in place for the
 * handshakes that follow; established connections keep what they were opened with. That is all a
 * renewal needs: cert-manager or a Kubernetes secret update rewrites the files, and the listener
 * serves the new certificate within one reload interval ({@link #watch}), without a restart that
 * would cut every proxy's streams.
 *
 * <p>New files are checked as a whole before they replace the old ones: each must parse, and the
 * key must match the chain's first certificate. Files that fail the check leave the credentials in
 * use as they were. A failure counts (and is logged) once the same content has failed on two reads
 * in a row, so a read that falls between the writes of a certificate and of its key, which the next
 * read sees complete, is not reported.
 *
 * <p>Meters, tagged {@code listener}: {@code meshpulse.tls.certificate.expiry} (the served
 * certificate's expiry, Unix seconds), {@code meshpulse.tls.reloads} by {@code result} ({@code
 * success}, {@code failure}) and {@code meshpulse.tls.files.rejected} (1 while the files on disk
 * differ from those in use and fail their check).
 */
public final class ReloadingTlsCredentials implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(ReloadingTlsCredentials.class);
  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";
  private static final List<String> KEY_ALGORITHMS =
      List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA");

  private final TlsFiles files;
  private final String listener;
  private final Counter reloaded;
  private final Counter refused;
  private final AtomicInteger rejected = new AtomicInteger();
  private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
  private final @Nullable AdvancedTlsX509TrustManager trustManager;
  private volatile X509Certificate serving;
  // Guarded by this: digests of the files in use, of files that failed their check once, and of
  // those reported as failing.
  private byte[] inUse;
  private byte @Nullable [] failedOnce;
  private byte @Nullable [] reported;
  private volatile @Nullable ScheduledExecutorService watcher;

  private ReloadingTlsCredentials(
      TlsFiles files, String listener, MeterRegistry registry, Material material) {
    this.files = files;
    this.listener = listener;
    AdvancedTlsX509TrustManager trust = null;
    if (material.trusted() != null) {
      try {
        trust =
            AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(
                    AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                .build();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(files.property("trust-ca") + ": " + e.getMessage(), e);
      }
    }
    this.trustManager = trust;
    this.serving = material.chain()[0];
    this.inUse = material.digest();
    install(material);
    Gauge.builder(
            "meshpulse.tls.certificate.expiry",
            this,
            credentials -> credentials.serving.getNotAfter().toInstant().getEpochSecond())
        .description("Expiry (not after) of the TLS certificate served to new connections")
        .baseUnit("timestamp_seconds")
        .tag("listener", listener)
        .register(registry);
    Gauge.builder("meshpulse.tls.files.rejected", rejected, AtomicInteger::get)
        .description("1 while the TLS files on disk differ from those in use and fail their check")
        .tag("listener", listener)
        .register(registry);
    this.reloaded = reloads(registry, listener, "success");
    this.refused = reloads(registry, listener, "failure");
  }

  private static Counter reloads(MeterRegistry registry, String listener, String result) {
    return Counter.builder("meshpulse.tls.reloads")
        .description("Changed TLS files put in place (success) or refused (failure)")
        .tags("listener", listener, "result", result)
        .register(registry);
  }

  /**
   * Reads the files of a listener; a file that cannot be read or does not check out stops the start
   * with the property named.
   *
   * @param listener names the listener in logs and in the meters' {@code listener} tag
   */
  public static ReloadingTlsCredentials load(
      TlsFiles files, String listener, MeterRegistry registry) {
    try {
      Material material = parse(Contents.read(files), files);
      ReloadingTlsCredentials credentials =
          new ReloadingTlsCredentials(files, listener, registry, material);
      logger.info("{}: TLS certificate loaded: {}", listener, describe(material.chain()[0]));
      return credentials;
    } catch (InvalidFile e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Reads a listener's files, as {@link #load}, and watches them every {@code reloadInterval}
   * ({@code 0}: read at start only): what a listener starts with.
   */
  public static ReloadingTlsCredentials open(
      TlsFiles files, Duration reloadInterval, String listener, MeterRegistry registry) {
    ReloadingTlsCredentials credentials = load(files, listener, registry);
    if (!reloadInterval.isZero()) {
      credentials.watch(reloadInterval);
    }
    return credentials;
  }

  /**
   * Reads the files every {@code interval} from now on, on a daemon thread of its own, until {@link
   * #close}.
   */
  public synchronized void watch(Duration interval) {
    if (watcher != null) {
      throw new IllegalStateException(listener + ": the TLS files are already watched");
    }
    ScheduledExecutorService started =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, listener + "-tls-reload");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    started.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    watcher = started;
  }

  /** Stops watching the files; the credentials stay usable. */
  @Override
  public void close() {
    ScheduledExecutorService current = watcher;
    if (current != null) {
      current.shutdownNow();
      watcher = null;
    }
  }

  /** The credentials to build the server with: they follow every reload. */
  public ServerCredentials serverCredentials() {
    TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keyManager);
    if (trustManager != null) {
      builder.trustManager(trustManager).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return builder.build();
  }

  /** The first certificate of the chain served to new connections. */
  public X509Certificate servingCertificate() {
    return serving;
  }

  /**
   * Reads the files and puts them in place when their content changed and checks out.
   *
   * @return whether new credentials were put in place
   */
  public synchronized boolean reloadIfChanged() {
    Material material;
    try {
      Contents contents = Contents.read(files);
      if (Arrays.equals(contents.digest(), inUse)) {
        settled();
        return false;
      }
      material = parse(contents, files);
      install(material);
    } catch (InvalidFile e) {
      refused(e.digest, e.getMessage());
      return false;
    } catch (RuntimeException e) {
      // The task runs on a schedule: whatever goes wrong must not end it (an exception would end
      // every later reload), installing included.
      refused(Contents.sha256(e.toString().getBytes(StandardCharsets.UTF_8)), e.toString());
      return false;
    }
    inUse = material.digest();
    serving = material.chain()[0];
    settled();
    reloaded.increment();
    logger.info("{}: TLS files changed, new connections get: {}", listener, describe(serving));
    return true;
  }

  private void settled() {
    failedOnce = null;
    reported = null;
    rejected.set(0);
  }

  /** Reports files that failed their check on two reads in a row, once for as long as they do. */
  private void refused(byte[] digest, @Nullable String reason) {
    if (!Arrays.equals(digest, failedOnce)) {
      failedOnce = digest;
      return;
    }
    if (Arrays.equals(digest, reported)) {
      return;
    }
    reported = digest;
    refused.increment();
    rejected.set(1);
    logger.warn(
        "{}: TLS files changed but were not taken; the credentials in use stay ({}): {}",
        listener,
        describe(serving),
        reason);
  }

  /** Puts the material in place: the trusted CAs first, so a failure there changes nothing. */
  private void install(Material material) {
    if (trustManager != null && material.trusted() != null) {
      try {
        trustManager.updateTrustCredentials(material.trusted());
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(files.property("trust-ca") + ": " + e.getMessage(), e);
      }
    }
    keyManager.updateIdentityCredentials(material.chain(), material.key());
  }

  private static Material parse(Contents contents, TlsFiles files) throws InvalidFile {
    byte[] digest = contents.digest();
    X509Certificate[] chain =
        certificates(contents.chain(), contents.chainFile(), files.property("cert-chain"), digest);
    Instant notAfter = chain[0].getNotAfter().toInstant();
    if (notAfter.isBefore(Instant.now())) {
      // Renewed files restored from an old backup, say: every new handshake would fail with it.
      throw new InvalidFile(
          files.property("cert-chain"),
          contents.chainFile() + " holds a certificate that expired at " + notAfter,
          digest);
    }
    PrivateKey key = privateKey(contents.key(), contents.keyFile(), files, digest);
    if (!matches(key, chain[0].getPublicKey())) {
      throw new InvalidFile(
          files.property("private-key"),
          contents.keyFile()
              + " does not belong to the first certificate of "
              + contents.chainFile(),
          digest);
    }
    Path caFile = contents.caFile();
    byte[] ca = contents.ca();
    X509Certificate[] trusted =
        caFile == null || ca == null
            ? null
            : certificates(ca, caFile, files.property("trust-ca"), digest);
    return new Material(chain, key, trusted, digest);
  }

  private static X509Certificate[] certificates(
      byte[] pem, Path file, String property, byte[] digest) throws InvalidFile {
    try {
      X509Certificate[] certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))
              .stream()
              .map(X509Certificate.class::cast)
              .toArray(X509Certificate[]::new);
      if (certificates.length == 0) {
        throw new InvalidFile(property, file + " holds no PEM certificate", digest);
      }
      return certificates;
    } catch (GeneralSecurityException e) {
      throw new InvalidFile(property, file + " is not a PEM certificate file: " + e, digest);
    }
  }

  /** An unencrypted PKCS#8 key, as {@code openssl pkcs8 -topk8 -nocrypt} writes it. */
  private static PrivateKey privateKey(byte[] pem, Path file, TlsFiles files, byte[] digest)
      throws InvalidFile {
    String property = files.property("private-key");
    String text = new String(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf(KEY_BEGIN);
    int end = text.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      throw new InvalidFile(
          property,
          file
              + " holds no unencrypted PKCS#8 key ("
              + KEY_BEGIN
              + "); convert it with openssl pkcs8 -topk8 -nocrypt",
          digest);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new InvalidFile(property, file + " is not valid base64: " + e, digest);
    }
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Not a key of this algorithm: try the next.
      }
    }
    throw new InvalidFile(property, file + " is not an RSA, EC, EdDSA or DSA PKCS#8 key", digest);
  }

  /**
   * Whether {@code key} is the private half of {@code certified}: it signs a probe the public key
   * verifies. A key of a type this cannot sign with does not match.
   */
  public static boolean matches(PrivateKey key, PublicKey certified) {
    String signature =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "DSA" -> "SHA256withDSA";
          case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
          default -> null;
        };
    if (signature == null) {
      return false;
    }
    byte[] probe = "meshpulse collector key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(signature);
      signer.initSign(key);
      signer.update(probe);
      byte[] signed = signer.sign();
      Signature verifier = Signature.getInstance(signature);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signed);
    } catch (GeneralSecurityException e) {
      // A public key of another type (an EC key with an RSA certificate) or a broken signature.
      return false;
    }
  }

  private static String describe(X509Certificate certificate) {
    return "subject="
        + certificate.getSubjectX500Principal().getName()
        + " serial="
        + certificate.getSerialNumber().toString(16)
        + " expires="
        + certificate.getNotAfter().toInstant();
  }

  /** The bytes of the files as read at one moment, and their digest. */
  private record Contents(
      Path chainFile,
      byte[] chain,
      Path keyFile,
      byte[] key,
      @Nullable Path caFile,
      byte @Nullable [] ca,
      byte[] digest) {
    static Contents read(TlsFiles files) throws InvalidFile {
      Path chainFile = files.certChain();
      Path keyFile = files.privateKey();
      Path caFile = files.trustCa();
      byte[] chain = readAll(chainFile, files.property("cert-chain"));
      byte[] key = readAll(keyFile, files.property("private-key"));
      byte[] ca = caFile == null ? null : readAll(caFile, files.property("trust-ca"));
      byte[] digest = sha256(chain, key, ca == null ? new byte[0] : ca);
      return new Contents(chainFile, chain, keyFile, key, caFile, ca, digest);
    }

    private static byte[] readAll(Path file, String property) throws InvalidFile {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        String message = "cannot read " + file + ": " + e;
        throw new InvalidFile(property, message, sha256(message.getBytes(StandardCharsets.UTF_8)));
      }
    }

    /** SHA-256 over the parts, each prefixed with its length. */
    static byte[] sha256(byte[]... parts) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
          sha.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
          sha.update((byte) ':');
          sha.update(part);
        }
        return sha.digest();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
      }
    }
  }

  private record Material(
      X509Certificate[] chain,
      PrivateKey key,
      X509Certificate @Nullable [] trusted,
      byte[] digest) {}

  /** A file that cannot be read or used, with the property that names it. */
  private static final class InvalidFile extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient byte[] digest;

    InvalidFile(String property, String message, byte[] digest) {
      super(property + ": " + message);
      this.digest = digest;
    }
  }
}
