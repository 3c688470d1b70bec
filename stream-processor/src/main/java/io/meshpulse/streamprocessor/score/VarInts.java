package io.meshpulse.streamprocessor.score;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Unsigned LEB128 varints and zig-zag signed ones, for compact state. */
final class VarInts {
  private VarInts() {}

  static void write(long value, DataOutput out) throws IOException {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  static long read(DataInput in) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.readByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("varint longer than 10 bytes");
  }

  static void writeSigned(long value, DataOutput out) throws IOException {
    write((value << 1) ^ (value >> 63), out);
  }

  static long readSigned(DataInput in) throws IOException {
    long raw = read(in);
    return (raw >>> 1) ^ -(raw & 1);
  }
}
