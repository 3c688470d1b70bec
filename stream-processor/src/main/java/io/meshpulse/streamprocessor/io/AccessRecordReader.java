package io.meshpulse.streamprocessor.io;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.meshpulse.streamprocessor.score.ErrorClass;
import io.meshpulse.streamprocessor.score.ProxyHash;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of a serialized {@code AccessRecord} the health job needs straight from its wire
 * bytes into a {@link Sample}, without building the message: string fields are byte ranges, the
 * proxy's node id is hashed from its bytes, and the endpoint's identity is copied as bytes. Accepts
 * and rejects exactly what {@code AccessRecord.parseFrom} does: malformed wire data, and strings
 * that are not UTF-8 (every string field, the skipped ones included, as proto3 requires); repeated
 * scalar fields keep the last value, a repeated endpoint merges into the earlier one. Not
 * thread-safe: one per source reader.
 */
final class AccessRecordReader {
  // AccessRecord tags: field number << 3 | wire type.
  private static final int REPORTER = tag(1, WireFormat.WIRETYPE_VARINT);
  private static final int NODE_ID = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int SOURCE = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int DESTINATION = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int CLUSTER = tag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int SUBSET = tag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int ENDPOINT = tag(8, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int PROTOCOL = tag(9, WireFormat.WIRETYPE_VARINT);
  private static final int RESPONSE_CODE = tag(10, WireFormat.WIRETYPE_VARINT);
  private static final int GRPC_STATUS = tag(11, WireFormat.WIRETYPE_VARINT);
  private static final int RESPONSE_FLAGS = tag(12, WireFormat.WIRETYPE_VARINT);
  private static final int RESPONSE_FLAGS_TEXT = tag(13, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int START_TIME = tag(14, WireFormat.WIRETYPE_VARINT);
  private static final int DURATION = tag(15, WireFormat.WIRETYPE_VARINT);
  private static final int REQUEST_HEADERS = tag(27, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int PROTOCOL_GRPC = 2;
  private static final int REPORTER_DESTINATION = 2;

  // Endpoint and Locality tags.
  private static final int ADDRESS = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int PORT = tag(2, WireFormat.WIRETYPE_VARINT);
  private static final int LOCALITY = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int REGION = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int ZONE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int SUB_ZONE = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  // Peer's locality; its other fields are strings.
  private static final int PEER_LOCALITY = tag(10, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  private byte[] data = new byte[0];
  // Byte ranges of the string fields read: start, length (-1 length when absent).
  private final Range nodeId = new Range();
  private final Range cluster = new Range();
  private final Range subset = new Range();
  private final Range address = new Range();
  private final Range region = new Range();
  private final Range zone = new Range();
  private final Range subZone = new Range();
  private final Range flagsText = new Range();
  private final int[] ranges = new int[12];
  private int port;
  private int reporter;
  private int protocol;
  private int responseCode;
  private boolean hasGrpcStatus;
  private int grpcStatus;
  private long responseFlags;
  private long startMicros;
  private long durationMicros;

  private static final class Range {
    int start;
    int length;

    void clear() {
      start = 0;
      length = 0;
    }
  }

  /**
   * Whether the last record read was reported by the destination's (server-side) proxy. Records of
   * a calling proxy (SOURCE) or of an ambient-mode waypoint (WAYPOINT), which picks the endpoint as
   * a calling proxy does, are not.
   */
  boolean destinationReported() {
    return reporter == REPORTER_DESTINATION;
  }

  /** Whether the last record read has an empty cluster. */
  boolean clusterEmpty() {
    return cluster.length == 0;
  }

  /**
   * The longest cluster or subset name read, in UTF-8 bytes: far above any real one (Kubernetes
   * names stop at 253 characters), and within what the job's state serializers write (Java's
   * modified UTF-8, at most 65,535 bytes, up to twice a name's UTF-8 length).
   */
  static final int MAX_NAME_BYTES = 16 * 1024;

  /**
   * Reads one serialized access record; throws {@link InvalidProtocolBufferException} when protobuf
   * would not parse it, and {@link IllegalArgumentException} for a cluster or subset name longer
   * than {@link #MAX_NAME_BYTES}.
   */
  Sample read(byte[] bytes) throws InvalidProtocolBufferException {
    data = bytes;
    reset();
    try {
      readFields(CodedInputStream.newInstance(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    if (cluster.length > MAX_NAME_BYTES || subset.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          String.format(
              "cluster or subset name of %d bytes, longer than %d",
              Math.max(cluster.length, subset.length), MAX_NAME_BYTES));
    }
    return sample();
  }

  private void readFields(CodedInputStream in) throws IOException {
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (tag == REPORTER) {
        reporter = in.readEnum();
      } else if (tag == NODE_ID) {
        string(in, nodeId);
      } else if (tag == CLUSTER) {
        string(in, cluster);
      } else if (tag == SUBSET) {
        string(in, subset);
      } else if (tag == ENDPOINT) {
        endpoint(in);
      } else if (tag == PROTOCOL) {
        protocol = in.readEnum();
      } else if (tag == RESPONSE_CODE) {
        responseCode = in.readUInt32();
      } else if (tag == GRPC_STATUS) {
        grpcStatus = in.readInt32();
        hasGrpcStatus = true;
      } else if (tag == RESPONSE_FLAGS) {
        responseFlags = in.readUInt64();
      } else if (tag == RESPONSE_FLAGS_TEXT) {
        string(in, flagsText);
      } else if (tag == START_TIME) {
        startMicros = in.readInt64();
      } else if (tag == DURATION) {
        durationMicros = in.readInt64();
      } else if (tag == SOURCE || tag == DESTINATION) {
        message(in, AccessRecordReader::peerField);
      } else if (tag == REQUEST_HEADERS) {
        message(in, AccessRecordReader::mapEntryField);
      } else if (isSkippedString(tag)) {
        checkUtf8(in);
      } else {
        skip(in, tag);
      }
    }
  }

  private void reset() {
    nodeId.clear();
    cluster.clear();
    subset.clear();
    address.clear();
    region.clear();
    zone.clear();
    subZone.clear();
    flagsText.clear();
    port = 0;
    reporter = 0;
    protocol = 0;
    responseCode = 0;
    hasGrpcStatus = false;
    grpcStatus = 0;
    responseFlags = 0;
    startMicros = 0;
    durationMicros = 0;
  }

  /** upstream_cluster (7), request_method .. connection_security_policy (19-24). */
  private static boolean isSkippedString(int tag) {
    int field = WireFormat.getTagFieldNumber(tag);
    return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
        && (field == 7 || (field >= 19 && field <= 24));
  }

  private void endpoint(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (tag == ADDRESS) {
        string(in, address);
      } else if (tag == PORT) {
        port = in.readUInt32();
      } else if (tag == LOCALITY) {
        locality(in);
      } else {
        skip(in, tag);
      }
    }
    in.popLimit(limit);
  }

  private void locality(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (tag == REGION) {
        string(in, region);
      } else if (tag == ZONE) {
        string(in, zone);
      } else if (tag == SUB_ZONE) {
        string(in, subZone);
      } else {
        skip(in, tag);
      }
    }
    in.popLimit(limit);
  }

  @FunctionalInterface
  private interface FieldReader {
    /** Reads the field of {@code tag}; returns false when it is not one this reader knows. */
    boolean read(AccessRecordReader reader, CodedInputStream in, int tag) throws IOException;
  }

  /** A nested message whose fields are only checked: strings for UTF-8, the rest skipped. */
  private void message(CodedInputStream in, FieldReader fields) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (!fields.read(this, in, tag)) {
        skip(in, tag);
      }
    }
    in.popLimit(limit);
  }

  /** Peer: fields 1-9 are strings, 10 a Locality (all strings). */
  private static boolean peerField(AccessRecordReader reader, CodedInputStream in, int tag)
      throws IOException {
    if (tag == PEER_LOCALITY) {
      reader.message(in, AccessRecordReader::localityField);
      return true;
    }
    return reader.stringField(in, tag, 9);
  }

  /** Locality: fields 1-3 are strings. */
  private static boolean localityField(AccessRecordReader reader, CodedInputStream in, int tag)
      throws IOException {
    return reader.stringField(in, tag, 3);
  }

  /** A map<string, string> entry: key (1) and value (2) are strings. */
  private static boolean mapEntryField(AccessRecordReader reader, CodedInputStream in, int tag)
      throws IOException {
    return reader.stringField(in, tag, 2);
  }

  /** Checks a string field numbered 1 to {@code lastField}; false for any other field. */
  private boolean stringField(CodedInputStream in, int tag, int lastField) throws IOException {
    int field = WireFormat.getTagFieldNumber(tag);
    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
        && field >= 1
        && field <= lastField) {
      checkUtf8(in);
      return true;
    }
    return false;
  }

  private static void skip(CodedInputStream in, int tag) throws IOException {
    if (!in.skipField(tag)) {
      throw new InvalidProtocolBufferException("Protocol message end-group tag did not match.");
    }
  }

  private void string(CodedInputStream in, Range range) throws IOException {
    int length = in.readRawVarint32();
    int start = in.getTotalBytesRead();
    in.skipRawBytes(length);
    if (!Utf8.isValid(data, start, length)) {
      throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
    }
    range.start = start;
    range.length = length;
  }

  private void checkUtf8(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    int start = in.getTotalBytesRead();
    in.skipRawBytes(length);
    if (!Utf8.isValid(data, start, length)) {
      throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
    }
  }

  private Sample sample() {
    Sample s = new Sample();
    s.key = key();
    s.identity = identity();
    s.hasEndpoint = address.length > 0;
    // Event time is when the request completed: a slow request or a timeout is logged, and reaches
    // the job, only after it ends, so by its start time it would always be late.
    s.timestampMillis = Math.floorDiv(startMicros + Math.max(0L, durationMicros), 1000L);
    s.latencyMillis = durationMicros / 1000.0;
    s.outcome =
        ErrorClass.of(
            flagsText(),
            responseFlags,
            hasGrpcStatus,
            grpcStatus,
            protocol == PROTOCOL_GRPC,
            responseCode);
    s.proxyHash =
        Utf8.isAscii(data, nodeId.start, nodeId.length)
            ? ProxyHash.ofAscii(data, nodeId.start, nodeId.length)
            : ProxyHash.of(text(nodeId));
    return s;
  }

  /** The flags text when it can name a flag; "" for none and for "-". */
  private String flagsText() {
    if (flagsText.length == 0 || (flagsText.length == 1 && data[flagsText.start] == '-')) {
      return "";
    }
    return text(flagsText);
  }

  /** The {@link EndpointKey} of {@code <cluster>|<subset>|<address>:<port>}, from the bytes. */
  private long key() {
    return EndpointKey.over(data)
        .bytes(cluster.start, cluster.length)
        .separator('|')
        .bytes(subset.start, subset.length)
        .separator('|')
        .bytes(address.start, address.length)
        .separator(':')
        .port(port)
        .finish();
  }

  private byte[] identity() {
    Range[] parts = {cluster, subset, address, region, zone, subZone};
    for (int i = 0; i < parts.length; i++) {
      ranges[2 * i] = parts[i].start;
      ranges[2 * i + 1] = parts[i].length;
    }
    return EndpointIdentity.encode(data, ranges, port);
  }

  private String text(Range range) {
    return new String(data, range.start, range.length, StandardCharsets.UTF_8);
  }

  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  /** UTF-8 checks as strict as protobuf's. */
  static final class Utf8 {
    private Utf8() {}

    private static final VarHandle LONGS =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Eight bytes at a time: a byte is ASCII when its high bit is clear. */
    static boolean isAscii(byte[] bytes, int offset, int length) {
      int i = offset;
      int end = offset + length;
      for (; i + Long.BYTES <= end; i += Long.BYTES) {
        if (((long) LONGS.get(bytes, i) & HIGH_BITS) != 0) {
          return false;
        }
      }
      for (; i < end; i++) {
        if (bytes[i] < 0) {
          return false;
        }
      }
      return true;
    }

    static boolean isValid(byte[] bytes, int offset, int length) {
      if (isAscii(bytes, offset, length)) {
        return true;
      }
      try {
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes, offset, length));
        return true;
      } catch (CharacterCodingException e) {
        return false;
      }
    }
  }
}
