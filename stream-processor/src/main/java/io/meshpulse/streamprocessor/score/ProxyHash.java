package io.meshpulse.streamprocessor.score;

/**
 * The 32-bit hash a proxy's node id is kept as in {@link ProxyPresence}: FNV-1a over the id's
 * characters, folded to 32 bits. For an ASCII id the UTF-8 bytes are the characters, so the hash
 * can be taken from the wire bytes without building a string.
 */
public final class ProxyHash {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private ProxyHash() {}

  public static int of(String nodeId) {
    long h = OFFSET;
    for (int i = 0; i < nodeId.length(); i++) {
      h ^= nodeId.charAt(i);
      h *= PRIME;
    }
    return fold(h);
  }

  /** The hash of the id whose UTF-8 bytes are {@code bytes[offset, offset + length)}, all ASCII. */
  public static int ofAscii(byte[] bytes, int offset, int length) {
    long h = OFFSET;
    for (int i = offset; i < offset + length; i++) {
      h ^= bytes[i];
      h *= PRIME;
    }
    return fold(h);
  }

  private static int fold(long h) {
    return (int) (h ^ (h >>> 32));
  }
}
