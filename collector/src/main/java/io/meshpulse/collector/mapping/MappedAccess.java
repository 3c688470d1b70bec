package io.meshpulse.collector.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import java.nio.charset.StandardCharsets;

/**
 * One access log entry mapped for Kafka and the Istio metrics: the {@link AccessRecord}'s record
 * key and serialized value, and the record fields the metrics read, without an AccessRecord object
 * in between ({@link #toRecord()} parses one when wanted).
 */
public final class MappedAccess {
  private final byte[] key;
  private final byte[] value;
  private final Reporter reporter;
  private final Peer source;
  private final Peer destination;
  private final String subset;
  private final String connectionSecurityPolicy;
  private final Protocol protocol;
  private final int responseCode;
  private final boolean hasGrpcStatus;
  private final int grpcStatus;
  private final String responseFlagsText;
  private final long durationMicros;
  private final long requestBytes;
  private final long responseBytes;
  private final boolean connectionOpened;
  private final boolean connectionClosed;

  MappedAccess(
      byte[] key,
      byte[] value,
      Reporter reporter,
      Peer source,
      Peer destination,
      String subset,
      String connectionSecurityPolicy,
      Protocol protocol,
      int responseCode,
      boolean hasGrpcStatus,
      int grpcStatus,
      String responseFlagsText,
      long durationMicros,
      long requestBytes,
      long responseBytes,
      boolean connectionOpened,
      boolean connectionClosed) {
    this.key = key;
    this.value = value;
    this.reporter = reporter;
    this.source = source;
    this.destination = destination;
    this.subset = subset;
    this.connectionSecurityPolicy = connectionSecurityPolicy;
    this.protocol = protocol;
    this.responseCode = responseCode;
    this.hasGrpcStatus = hasGrpcStatus;
    this.grpcStatus = grpcStatus;
    this.responseFlagsText = responseFlagsText;
    this.durationMicros = durationMicros;
    this.requestBytes = requestBytes;
    this.responseBytes = responseBytes;
    this.connectionOpened = connectionOpened;
    this.connectionClosed = connectionClosed;
  }

  /** {@code record} with its key and serialized value, for callers that hold a record. */
  public static MappedAccess of(AccessRecord record) {
    return new MappedAccess(
        RecordKeys.of(record).getBytes(StandardCharsets.UTF_8),
        record.toByteArray(),
        record.getReporter(),
        record.getSource(),
        record.getDestination(),
        record.getSubset(),
        record.getConnectionSecurityPolicy(),
        record.getProtocol(),
        record.getResponseCode(),
        record.hasGrpcStatus(),
        record.getGrpcStatus(),
        record.getResponseFlagsText(),
        record.getDurationMicros(),
        record.getRequestBytes(),
        record.getResponseBytes(),
        record.getConnectionOpened(),
        record.getConnectionClosed());
  }

  /** The record key, UTF-8: {@code <cluster>/<address>:<port>} (RecordKeys.of). */
  public byte[] key() {
    return key;
  }

  /** The serialized AccessRecord. */
  public byte[] value() {
    return value;
  }

  /** The AccessRecord, parsed from {@link #value()}. */
  public AccessRecord toRecord() {
    try {
      return AccessRecord.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the mapper wrote an unparseable AccessRecord", e);
    }
  }

  public Reporter reporter() {
    return reporter;
  }

  public Peer source() {
    return source;
  }

  public Peer destination() {
    return destination;
  }

  public String subset() {
    return subset;
  }

  public String connectionSecurityPolicy() {
    return connectionSecurityPolicy;
  }

  public Protocol protocol() {
    return protocol;
  }

  public int responseCode() {
    return responseCode;
  }

  public boolean hasGrpcStatus() {
    return hasGrpcStatus;
  }

  public int grpcStatus() {
    return grpcStatus;
  }

  public String responseFlagsText() {
    return responseFlagsText;
  }

  public long durationMicros() {
    return durationMicros;
  }

  public long requestBytes() {
    return requestBytes;
  }

  public long responseBytes() {
    return responseBytes;
  }

  public boolean connectionOpened() {
    return connectionOpened;
  }

  public boolean connectionClosed() {
    return connectionClosed;
  }
}
