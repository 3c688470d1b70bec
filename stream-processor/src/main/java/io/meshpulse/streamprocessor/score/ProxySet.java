package io.meshpulse.streamprocessor.score;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The distinct proxies that reported an endpoint, kept as 32-bit hashes of their node ids (a sorted
 * array, at most {@link EndpointAggregate#MAX_PROXIES}): 4 bytes a proxy in state instead of its
 * ~80-character Istio node id. Two ids sharing a hash would count once; among 256 ids that happens
 * with probability ~10⁻⁵.
 */
final class ProxySet {
  private int[] hashes;
  private int size;

  ProxySet() {
    this(new int[4], 0);
  }

  private ProxySet(int[] hashes, int size) {
    this.hashes = hashes;
    this.size = size;
  }

  /** See {@link ProxyHash}. */
  static int hash(String nodeId) {
    return ProxyHash.of(nodeId);
  }

  int size() {
    return size;
  }

  void add(int hash) {
    int at = Arrays.binarySearch(hashes, 0, size, hash);
    if (at >= 0 || size >= EndpointAggregate.MAX_PROXIES) {
      return;
    }
    int insert = -at - 1;
    if (size == hashes.length) {
      hashes = Arrays.copyOf(hashes, Math.min(EndpointAggregate.MAX_PROXIES, size * 2));
    }
    System.arraycopy(hashes, insert, hashes, insert + 1, size - insert);
    hashes[insert] = hash;
    size++;
  }

  ProxySet copy() {
    return new ProxySet(Arrays.copyOf(hashes, Math.max(4, size)), size);
  }

  void writeTo(DataOutput out) throws IOException {
    VarInts.write(size, out);
    for (int i = 0; i < size; i++) {
      out.writeInt(hashes[i]);
    }
  }

  static ProxySet readFrom(DataInput in) throws IOException {
    int size = (int) VarInts.read(in);
    int[] hashes = new int[Math.max(4, size)];
    for (int i = 0; i < size; i++) {
      hashes[i] = in.readInt();
    }
    return new ProxySet(hashes, size);
  }

  // Open-addressing table for distinct(): four slots a counted proxy, reused by each task thread;
  // a slot belongs to the current call when its stamp is the call's.
  private static final int TABLE_SLOTS = 4 * EndpointAggregate.MAX_PROXIES;
  private static final ThreadLocal<int[][]> TABLE =
      ThreadLocal.withInitial(() -> new int[][] {new int[TABLE_SLOTS], new int[TABLE_SLOTS], {0}});

  /**
   * How many distinct proxies {@code sets} hold together, up to {@link
   * EndpointAggregate#MAX_PROXIES}.
   */
  static int distinct(ProxySet... sets) {
    if (sets.length == 1) {
      return sets[0].size;
    }
    int[][] table = TABLE.get();
    int[] keys = table[0];
    int[] stamps = table[1];
    int stamp = ++table[2][0];
    if (stamp == 0) { // wrapped: forget every stamp
      Arrays.fill(stamps, 0);
      stamp = table[2][0] = 1;
    }
    int distinct = 0;
    for (ProxySet set : sets) {
      for (int i = 0; i < set.size; i++) {
        int h = set.hashes[i];
        int slot = (h * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(TABLE_SLOTS));
        while (stamps[slot] == stamp && keys[slot] != h) {
          slot = (slot + 1) & (TABLE_SLOTS - 1);
        }
        if (stamps[slot] != stamp) {
          stamps[slot] = stamp;
          keys[slot] = h;
          if (++distinct == EndpointAggregate.MAX_PROXIES) {
            return distinct;
          }
        }
      }
    }
    return distinct;
  }
}
