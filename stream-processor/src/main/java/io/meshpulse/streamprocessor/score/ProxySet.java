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

  /** Adds {@code other}'s hashes: one merge of the two sorted arrays. */
  void addAll(ProxySet other) {
    if (other.size == 0 || size >= EndpointAggregate.MAX_PROXIES) {
      return;
    }
    if (size == 0) {
      hashes = Arrays.copyOf(other.hashes, Math.max(4, other.size));
      size = other.size;
      return;
    }
    int[] merged = new int[Math.min(EndpointAggregate.MAX_PROXIES, size + other.size)];
    int n = 0;
    int i = 0;
    int j = 0;
    while (n < merged.length && (i < size || j < other.size)) {
      int next;
      if (j >= other.size || (i < size && hashes[i] < other.hashes[j])) {
        next = hashes[i++];
      } else if (i >= size || other.hashes[j] < hashes[i]) {
        next = other.hashes[j++];
      } else {
        next = hashes[i++];
        j++;
      }
      merged[n++] = next;
    }
    hashes = merged;
    size = n;
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
}
