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
  private final String canonicalService;
  private final String canonicalRevision;
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
      String canonicalService,
      String canonicalRevision,
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
    this.canonicalService = canonicalService;
    this.canonicalRevision = canonicalRevision;
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

  /**
   * {@code record} with its key and serialized value, for callers that hold a record. A record does
   * not carry the reporting proxy's canonical service and revision: they fall back, as for a proxy
   * without canonical labels, to the reporting side's app (else workload) and version (else {@code
   * latest}).
   */
  public static MappedAccess of(AccessRecord record) {
    Peer local =
        record.getReporter() == Reporter.REPORTER_DESTINATION
            ? record.getDestination()
            : record.getSource();
    // The Istio label's status for a gRPC request whose response carried none (AccessLogDecoder).
    boolean inferred =
        !record.hasGrpcStatus()
            && record.getProtocol() == Protocol.PROTOCOL_GRPC
            && record.getResponseCode() != 0;
    return new MappedAccess(
        RecordKeys.of(record).getBytes(StandardCharsets.UTF_8),
        record.toByteArray(),
        record.getReporter(),
        record.getSource(),
        record.getDestination(),
        record.getSubset(),
        record.getConnectionSecurityPolicy(),
        local.getApp().isEmpty() ? local.getWorkload() : local.getApp(),
        local.getVersion().isEmpty() ? NodeIdentity.LATEST : local.getVersion(),
        record.getProtocol(),
        record.getResponseCode(),
        record.hasGrpcStatus() || inferred,
        record.hasGrpcStatus()
            ? record.getGrpcStatus()
            : inferred ? AccessLogDecoder.httpToGrpcStatus(record.getResponseCode()) : 0,
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

  /**
   * The canonical service of the reporting proxy's workload (the destination's for reporter
   * DESTINATION, the source's for reporter SOURCE); the peer's is not known.
   */
  public String canonicalService() {
    return canonicalService;
  }

  /** The canonical revision of the reporting proxy's workload. */
  public String canonicalRevision() {
    return canonicalRevision;
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
