package io.meshpulse.streamprocessor.io;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Locality;
import io.meshpulse.streamprocessor.score.EndpointId;
import java.nio.charset.StandardCharsets;

/**
 * An endpoint's identity (cluster, subset, address, port, locality) as one byte array: each string
 * as a varint length and its UTF-8 bytes, the port as a varint. A {@link Sample} carries it so a
 * record crosses the network without its identity's strings; it is decoded only when the window
 * stage first sees the endpoint.
 */
final class EndpointIdentity {
  static final byte[] EMPTY = encode("", "", "", 0, "", "", "");

  private EndpointIdentity() {}

  /** Encodes the ranges {@code [start, length]} of {@code data} and the port. */
  static byte[] encode(byte[] data, int[] ranges, int port) {
    int size = varIntSize(port & 0xffffffffL);
    for (int i = 0; i < ranges.length; i += 2) {
      size += varIntSize(ranges[i + 1]) + ranges[i + 1];
    }
    byte[] out = new byte[size];
    int at = 0;
    for (int i = 0; i < ranges.length; i += 2) {
      if (i == 6) {
        at = writeVarInt(port & 0xffffffffL, out, at);
      }
      at = writeVarInt(ranges[i + 1], out, at);
      System.arraycopy(data, ranges[i], out, at, ranges[i + 1]);
      at += ranges[i + 1];
    }
    return out;
  }

  static byte[] encode(
      String cluster,
      String subset,
      String address,
      int port,
      String region,
      String zone,
      String subZone) {
    String[] parts = {cluster, subset, address, region, zone, subZone};
    byte[][] bytes = new byte[parts.length][];
    int total = 0;
    int[] ranges = new int[parts.length * 2];
    for (int i = 0; i < parts.length; i++) {
      bytes[i] = parts[i].getBytes(StandardCharsets.UTF_8);
      ranges[2 * i] = total;
      ranges[2 * i + 1] = bytes[i].length;
      total += bytes[i].length;
    }
    byte[] data = new byte[total];
    for (int i = 0; i < parts.length; i++) {
      System.arraycopy(bytes[i], 0, data, ranges[2 * i], bytes[i].length);
    }
    return encode(data, ranges, port);
  }

  /** The endpoint's id, with a locality always set (as the job has always built it). */
  static EndpointId decode(byte[] identity) {
    Reader in = new Reader(identity);
    String cluster = in.string();
    String subset = in.string();
    String address = in.string();
    int port = (int) in.varInt();
    Locality locality =
        Locality.newBuilder()
            .setRegion(in.string())
            .setZone(in.string())
            .setSubZone(in.string())
            .build();
    return new EndpointId(
        cluster,
        subset,
        Endpoint.newBuilder().setAddress(address).setPort(port).setLocality(locality).build());
  }

  private static int varIntSize(long value) {
    int size = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  private static int writeVarInt(long value, byte[] out, int at) {
    while ((value & ~0x7FL) != 0) {
      out[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }

  private static final class Reader {
    private final byte[] bytes;
    private int at;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    long varInt() {
      long value = 0;
      int shift = 0;
      byte b;
      do {
        b = bytes[at++];
        value |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0);
      return value;
    }

    String string() {
      int length = (int) varInt();
      String s = new String(bytes, at, length, StandardCharsets.UTF_8);
      at += length;
      return s;
    }
  }
}
