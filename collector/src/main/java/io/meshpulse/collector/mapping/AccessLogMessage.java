package io.meshpulse.collector.mapping;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage.Identifier;
import java.io.IOException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The top level of one StreamAccessLogsMessage read off the wire: its identifier, when it carries
 * one, and where its HTTP or TCP entries are in the message bytes. The entries themselves are read
 * later, one by one, by {@link AccessLogDecoder}. Like protobuf, {@code http_logs} and {@code
 * tcp_logs} are a oneof (the last case on the wire wins) and repeated occurrences merge.
 */
public final class AccessLogMessage {
  private final byte[] bytes;
  private final @Nullable Identifier identifier;
  private final boolean tcp;
  private final int[] ranges;
  private final int entries;

  private AccessLogMessage(
      byte[] bytes, @Nullable Identifier identifier, boolean tcp, int[] ranges, int entries) {
    this.bytes = bytes;
    this.identifier = identifier;
    this.tcp = tcp;
    this.ranges = ranges;
    this.entries = entries;
  }

  /** Reads the top level of {@code bytes}; throws when they are not a well-formed message. */
  public static AccessLogMessage read(byte[] bytes) throws InvalidProtocolBufferException {
    try {
      return read0(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  private static AccessLogMessage read0(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    Identifier identifier = null;
    boolean tcp = false;
    int[] ranges = new int[64];
    int entries = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (StreamAccessLogsMessage.IDENTIFIER_FIELD_NUMBER << 3) | 2 -> {
          int length = length(in);
          int offset = in.getTotalBytesRead();
          in.skipRawBytes(length);
          identifier =
              identifier == null
                  ? Identifier.parser().parseFrom(bytes, offset, length)
                  : identifier.toBuilder().mergeFrom(bytes, offset, length).build();
        }
        case (StreamAccessLogsMessage.HTTP_LOGS_FIELD_NUMBER << 3) | 2,
            (StreamAccessLogsMessage.TCP_LOGS_FIELD_NUMBER << 3) | 2 -> {
          boolean tcpLogs = tag == ((StreamAccessLogsMessage.TCP_LOGS_FIELD_NUMBER << 3) | 2);
          if (tcpLogs != tcp) {
            entries = 0; // the oneof switched case: the other case's entries are gone
            tcp = tcpLogs;
          }
          int limit = in.pushLimit(length(in));
          int inner;
          while ((inner = in.readTag()) != 0) {
            if (inner == ((1 << 3) | 2)) {
              int length = length(in);
              if (ranges.length < (entries + 1) * 2) {
                ranges = Arrays.copyOf(ranges, ranges.length * 2);
              }
              ranges[entries * 2] = in.getTotalBytesRead();
              ranges[entries * 2 + 1] = length;
              entries++;
              in.skipRawBytes(length);
            } else {
              skip(in, inner);
            }
          }
          in.popLimit(limit);
        }
        default -> skip(in, tag);
      }
    }
    return new AccessLogMessage(bytes, identifier, tcp, ranges, entries);
  }

  /** The identifier, on a stream's first message. */
  public @Nullable Identifier identifier() {
    return identifier;
  }

  /** Whether the entries are TCP entries (else HTTP). */
  public boolean tcp() {
    return tcp;
  }

  public int entries() {
    return entries;
  }

  /**
   * The whole message parsed the ordinary way: for the rare paths that need protobuf's own verdict
   * on every byte (rejecting a bad first message).
   */
  public StreamAccessLogsMessage parseFully() throws InvalidProtocolBufferException {
    return StreamAccessLogsMessage.parseFrom(bytes);
  }

  byte[] bytes() {
    return bytes;
  }

  int offset(int entry) {
    return ranges[entry * 2];
  }

  int length(int entry) {
    return ranges[entry * 2 + 1];
  }

  private static int length(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      throw new InvalidProtocolBufferException("negative length");
    }
    return length;
  }

  private static void skip(CodedInputStream in, int tag) throws IOException {
    if (!in.skipField(tag)) {
      throw new InvalidProtocolBufferException("unexpected end-group tag");
    }
  }
}
