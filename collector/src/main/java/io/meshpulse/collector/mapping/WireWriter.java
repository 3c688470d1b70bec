package io.meshpulse.collector.mapping;

import java.util.Arrays;

/** Writes protobuf wire format into a growable array that is reused record after record. */
final class WireWriter {
  private byte[] buf = new byte[512];
  private int pos;

  void reset() {
    pos = 0;
  }

  int size() {
    return pos;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  void tag(int field, int wireType) {
    varint32((field << 3) | wireType);
  }

  /** {@code value} as an unsigned 32-bit varint (uint32, enum and length values). */
  void varint32(int value) {
    ensure(5);
    while ((value & ~0x7F) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
  }

  /** {@code value} as an unsigned 64-bit varint (uint64, int64, negative int32). */
  void varint64(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
  }

  void raw(byte[] bytes) {
    raw(bytes, 0, bytes.length);
  }

  void raw(byte[] bytes, int off, int len) {
    ensure(len);
    System.arraycopy(bytes, off, buf, pos, len);
    pos += len;
  }

  /** A string or bytes field, omitted when empty (proto3 default). */
  void string(int field, byte[] bytes, int off, int len) {
    if (len == 0) {
      return;
    }
    tag(field, 2);
    varint32(len);
    raw(bytes, off, len);
  }

  void string(int field, byte[] bytes) {
    string(field, bytes, 0, bytes.length);
  }

  /** An int64 or uint64 field, omitted when zero. */
  void int64(int field, long value) {
    if (value != 0) {
      tag(field, 0);
      varint64(value);
    }
  }

  /** A uint32 or enum field, omitted when zero. */
  void uint32(int field, int value) {
    if (value != 0) {
      tag(field, 0);
      varint32(value);
    }
  }

  /** An int32 field: negative values take ten bytes, as protobuf writes them. */
  static int int32Size(int value) {
    return value >= 0 ? varintSize(value & 0xFFFFFFFFL) : 10;
  }

  static int varintSize(long value) {
    int size = 1;
    while ((value & ~0x7FL) != 0) {
      size++;
      value >>>= 7;
    }
    return size;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }
}
