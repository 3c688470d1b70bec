package io.meshpulse.tls;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The PEM files of a TLS listener, and the prefix of the properties that name them (e.g. {@code
 * meshpulse.collector.grpc.tls}), so that every error names the property to fix.
 *
 * @param properties the properties' prefix, without the trailing dot
 * @param certChain the certificate chain served, the listener's own certificate first
 * @param privateKey the unencrypted PKCS#8 key of that certificate
 * @param trustCa the CA bundle client certificates must chain to (mTLS); none: no client
 *     certificate is asked for
 */
public record TlsFiles(String properties, Path certChain, Path privateKey, @Nullable Path trustCa) {

  /** The full name of one of the properties, e.g. {@code property("cert-chain")}. */
  public String property(String name) {
    return properties + "." + name;
  }

  /**
   * Checks a listener's TLS settings as bound from {@code <properties>.enabled}, {@code
   * .cert-chain}, {@code .private-key} and {@code .reload-interval}, and returns its files, or none
   * with TLS off.
   *
   * @throws IllegalArgumentException naming the property at fault
   */
  public static @Nullable TlsFiles of(
      String properties,
      boolean enabled,
      @Nullable Path certChain,
      @Nullable Path privateKey,
      @Nullable Path trustCa,
      Duration reloadInterval) {
    if (!reloadInterval.isZero() && reloadInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          properties + ".reload-interval must be 0 (read at start only) or at least 1s");
    }
    if (!enabled) {
      return null;
    }
    if (certChain == null) {
      throw new IllegalArgumentException(
          properties + ".cert-chain is required when TLS is enabled");
    }
    if (privateKey == null) {
      throw new IllegalArgumentException(
          properties + ".private-key is required when TLS is enabled");
    }
    return new TlsFiles(properties, certChain, privateKey, trustCa);
  }
}
