package io.meshpulse.streamprocessor.io;

import java.nio.charset.StandardCharsets;

/**
 * The window stage's key: a 64-bit hash of {@code <cluster>|<subset>|<address>:<port>}'s UTF-8
 * bytes (FNV-1a, then MurmurHash3's finalizer to spread the bits). Taken from the record's bytes
 * without building the string, and a long to hash and compare in Flink's keyed state instead of an
 * ~80-character string. Two endpoints would share windows only if their keys collide: among 100,000
 * endpoints that happens with probability ~3 × 10⁻¹⁰.
 */
public final class EndpointKey {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private final byte[] data;
  private long h = OFFSET;

  private EndpointKey(byte[] data) {
    this.data = data;
  }

  /** The key of an endpoint given by its parts. */
  public static long of(String cluster, String subset, String address, int port) {
    return hash(
        (cluster + "|" + subset + "|" + address + ":" + port).getBytes(StandardCharsets.UTF_8));
  }

  static long hash(byte[] bytes) {
    EndpointKey k = new EndpointKey(bytes);
    k.bytes(0, bytes.length);
    return k.finish();
  }

  /** Starts a key over ranges of {@code data}. */
  static EndpointKey over(byte[] data) {
    return new EndpointKey(data);
  }

  EndpointKey bytes(int start, int length) {
    long x = h;
    for (int i = start; i < start + length; i++) {
      x = (x ^ (data[i] & 0xff)) * PRIME;
    }
    h = x;
    return this;
  }

  EndpointKey separator(char c) {
    h = (h ^ c) * PRIME;
    return this;
  }

  /** The port's decimal digits, as its text ({@link Integer#toString}) would add them. */
  EndpointKey port(int port) {
    if (port < 0) { // a uint32 port above 2^31 - 1: rare enough to go through the text
      String digits = Integer.toString(port);
      for (int i = 0; i < digits.length(); i++) {
        h = (h ^ digits.charAt(i)) * PRIME;
      }
      return this;
    }
    int divisor = 1;
    while (port / divisor >= 10) {
      divisor *= 10;
    }
    for (; divisor > 0; divisor /= 10) {
      h = (h ^ ('0' + port / divisor % 10)) * PRIME;
    }
    return this;
  }

  long finish() {
    long x = h;
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    return x;
  }
}
