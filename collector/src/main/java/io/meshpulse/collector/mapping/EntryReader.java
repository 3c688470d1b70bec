package io.meshpulse.collector.mapping;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.EnvoyInternalAddress;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.ConnectionProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads the fields the mapping uses straight off an Envoy access log entry's wire bytes, without
 * building the entry's message tree: every other field (user agent, downstream addresses, response
 * code details, ...) is skipped unread. Strings stay byte ranges of the message until the mapper
 * copies or caches them. Protobuf's rules are kept where they matter: the last value of a scalar
 * wins, repeated occurrences of a message merge, a oneof keeps its last case, a field whose wire
 * type is not the declared one is an unknown field. Not thread-safe: one per stream.
 */
final class EntryReader {
  static final int NONE = -1;

  private static final int ADDRESS_NONE = 0;
  private static final int ADDRESS_SOCKET = 1;
  private static final int ADDRESS_INTERNAL = 2;
  private static final int ADDRESS_PIPE = 3;

  // Durations, by slot.
  static final int LAST_DOWNSTREAM_TX = 0;
  static final int LAST_UPSTREAM_RX = 1;
  static final int FIRST_UPSTREAM_RX = 2;
  static final int DURATION = 3;

  private static final String SPIFFE = "spiffe://";
  private static final byte[] TRACEPARENT = ascii("traceparent");
  private static final byte[] B3_TRACE_ID = ascii("x-b3-traceid");
  private static final byte[] CONTENT_TYPE = ascii("content-type");
  private static final byte[] GRPC_STATUS = ascii("grpc-status");
  private static final byte[] DOWNSTREAM_PEER = ascii("downstream_peer");
  private static final byte[] UPSTREAM_PEER = ascii("upstream_peer");
  private static final byte[] STRUCT_TYPE = ascii("type.googleapis.com/google.protobuf.Struct");

  /** Per ResponseFlags field number: 0 not a flag, 1 a bool flag, 2 a message flag (presence). */
  private static final byte[] FLAG_KINDS = flagKinds();

  private final boolean keepHeaders;

  byte[] buf = new byte[0];

  /** Where the entry being read starts in {@link #buf} (the stream counts from there). */
  private int base;

  // AccessLogCommon
  int clusterOff;
  int clusterLen;
  boolean hasTls;
  boolean hasPeerCertificate;
  int peerSanOff;
  int peerSanLen;
  int localSanOff;
  int localSanLen;
  boolean hasFlags;
  long flags;
  long startSeconds;
  int startNanos;
  final boolean[] durationPresent = new boolean[4];
  final long[] durationSeconds = new long[4];
  final int[] durationNanos = new int[4];
  // The upstream address: which case of its oneof was read last, and, for an internal address,
  // the last endpoint id read (protobuf merges repeated messages of one case, so the id of one
  // occurrence stays when a later one has none). Resolved into the fields below once the entry
  // is read.
  private int addressCase;
  private int endpointIdOff;
  private int endpointIdLen;
  boolean hasSocketAddress;
  int addressOff;
  int addressLen;
  boolean hasPortValue;
  int portValue;
  // Why Envoy wrote the entry (AccessLogType), of HTTP and TCP entries alike: 0, NotSet, from an
  // Envoy older than the field. The decoder maps HTTP entries of a request's end only, and counts
  // TCP connections' opens and closes by it.
  int accessLogType;
  // The downstream remote address, as the Address message's bytes (a TCP connection's key).
  int downstreamOff;
  int downstreamLen;
  // Istio's peer metadata (1.24 and later): the filter state objects "downstream_peer" (the
  // source, at the destination's proxy) and "upstream_peer" (the destination, at the source's
  // proxy), each an Any of a google.protobuf.Struct. Per side (DOWNSTREAM, UPSTREAM): its state,
  // and the string values of the fields the mapping uses (PEER_FIELDS order), NONE when absent.
  static final int DOWNSTREAM = 0;
  static final int UPSTREAM = 1;
  static final int PEER_NONE = 0;
  static final int PEER_READ = 1;
  static final int PEER_UNREADABLE = 2;
  static final String[] PEER_FIELDS = {
    "workload", "namespace", "app", "version", "cluster", "service", "revision"
  };
  private static final byte[][] PEER_FIELD_NAMES = peerFieldNames();
  final int[] peerState = new int[2];
  final int[] peerOff = new int[2 * PEER_FIELDS.length];
  final int[] peerLen = new int[2 * PEER_FIELDS.length];

  // HTTP request and response
  int method;
  int authorityOff;
  int authorityLen;
  int pathOff;
  int pathLen;
  int requestIdOff;
  int requestIdLen;
  long requestHeadersBytes;
  long requestBodyBytes;
  long responseHeadersBytes;
  long responseBodyBytes;
  boolean hasResponseCode;
  int responseCode;
  int traceparentOff;
  int traceparentLen;
  int b3Off;
  int b3Len;
  int contentTypeOff;
  int contentTypeLen;
  int trailerGrpcOff;
  int trailerGrpcLen;
  int headerGrpcOff;
  int headerGrpcLen;

  /** Request headers as (key offset, key length, value offset, value length), when kept. */
  int[] headers = new int[0];

  int headerCount;

  // TCP
  long receivedBytes;
  long sentBytes;

  // The SAN being read: its oneof case (1 uri, 2 dns, 0 none) and uri.
  private int sanCase;
  private int sanOff;
  private int sanLen;

  EntryReader(boolean keepHeaders) {
    this.keepHeaders = keepHeaders;
    Arrays.fill(peerOff, NONE);
  }

  /** Reads the HTTPAccessLogEntry, or TCPAccessLogEntry, in {@code buf[off, off + len)}. */
  void read(byte[] buf, int off, int len, boolean tcp) throws InvalidProtocolBufferException {
    reset(buf);
    base = off;
    try {
      CodedInputStream in = CodedInputStream.newInstance(buf, off, len);
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == ((HTTPAccessLogEntry.COMMON_PROPERTIES_FIELD_NUMBER << 3) | 2)) {
          common(in); // field 1 in both entries
        } else if (tcp) {
          tcpField(in, tag);
        } else {
          httpField(in, tag);
        }
      }
      if (addressCase == ADDRESS_INTERNAL && endpointIdOff != NONE) {
        endpointId(endpointIdOff, endpointIdLen);
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  private void httpField(CodedInputStream in, int tag) throws IOException {
    switch (tag) {
      case (HTTPAccessLogEntry.REQUEST_FIELD_NUMBER << 3) | 2 -> request(in);
      case (HTTPAccessLogEntry.RESPONSE_FIELD_NUMBER << 3) | 2 -> response(in);
      default -> skip(in, tag);
    }
  }

  private void tcpField(CodedInputStream in, int tag) throws IOException {
    if (tag == ((TCPAccessLogEntry.CONNECTION_PROPERTIES_FIELD_NUMBER << 3) | 2)) {
      connection(in);
    } else {
      skip(in, tag);
    }
  }

  private void reset(byte[] buf) {
    this.buf = buf;
    clusterOff = 0;
    clusterLen = 0;
    hasTls = false;
    hasPeerCertificate = false;
    peerSanOff = NONE;
    peerSanLen = 0;
    localSanOff = NONE;
    localSanLen = 0;
    hasFlags = false;
    flags = 0;
    startSeconds = 0;
    startNanos = 0;
    Arrays.fill(durationPresent, false);
    Arrays.fill(durationSeconds, 0);
    Arrays.fill(durationNanos, 0);
    addressCase = ADDRESS_NONE;
    clearEndpoint();
    accessLogType = 0;
    downstreamOff = 0;
    downstreamLen = 0;
    if (peerState[DOWNSTREAM] != PEER_NONE || peerState[UPSTREAM] != PEER_NONE) {
      // Only read where a side's state says so; cleared anyway, so nothing outlives its entry.
      peerState[DOWNSTREAM] = PEER_NONE;
      peerState[UPSTREAM] = PEER_NONE;
      Arrays.fill(peerOff, NONE);
      Arrays.fill(peerLen, 0);
    }
    method = 0;
    authorityOff = 0;
    authorityLen = 0;
    pathOff = 0;
    pathLen = 0;
    requestIdOff = 0;
    requestIdLen = 0;
    requestHeadersBytes = 0;
    requestBodyBytes = 0;
    responseHeadersBytes = 0;
    responseBodyBytes = 0;
    hasResponseCode = false;
    responseCode = 0;
    traceparentOff = NONE;
    traceparentLen = 0;
    b3Off = NONE;
    b3Len = 0;
    contentTypeOff = NONE;
    contentTypeLen = 0;
    trailerGrpcOff = NONE;
    trailerGrpcLen = 0;
    headerGrpcOff = NONE;
    headerGrpcLen = 0;
    headerCount = 0;
    receivedBytes = 0;
    sentBytes = 0;
  }

  private void common(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (AccessLogCommon.UPSTREAM_CLUSTER_FIELD_NUMBER << 3) | 2 -> {
          clusterLen = length(in);
          clusterOff = position(in);
          in.skipRawBytes(clusterLen);
        }
        case (AccessLogCommon.TLS_PROPERTIES_FIELD_NUMBER << 3) | 2 -> tls(in);
        case (AccessLogCommon.START_TIME_FIELD_NUMBER << 3) | 2 -> startTime(in);
        case (AccessLogCommon.TIME_TO_LAST_DOWNSTREAM_TX_BYTE_FIELD_NUMBER << 3) | 2 ->
            duration(in, LAST_DOWNSTREAM_TX);
        case (AccessLogCommon.TIME_TO_LAST_UPSTREAM_RX_BYTE_FIELD_NUMBER << 3) | 2 ->
            duration(in, LAST_UPSTREAM_RX);
        case (AccessLogCommon.TIME_TO_FIRST_UPSTREAM_RX_BYTE_FIELD_NUMBER << 3) | 2 ->
            duration(in, FIRST_UPSTREAM_RX);
        case (AccessLogCommon.DURATION_FIELD_NUMBER << 3) | 2 -> duration(in, DURATION);
        case (AccessLogCommon.UPSTREAM_REMOTE_ADDRESS_FIELD_NUMBER << 3) | 2 -> address(in);
        case (AccessLogCommon.RESPONSE_FLAGS_FIELD_NUMBER << 3) | 2 -> responseFlags(in);
        case (AccessLogCommon.ACCESS_LOG_TYPE_FIELD_NUMBER << 3) -> accessLogType = in.readEnum();
        case (AccessLogCommon.FILTER_STATE_OBJECTS_FIELD_NUMBER << 3) | 2 -> filterState(in);
        case (AccessLogCommon.DOWNSTREAM_REMOTE_ADDRESS_FIELD_NUMBER << 3) | 2 -> {
          downstreamLen = length(in);
          downstreamOff = position(in);
          in.skipRawBytes(downstreamLen);
        }
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void tls(CodedInputStream in) throws IOException {
    hasTls = true;
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (TLSProperties.LOCAL_CERTIFICATE_PROPERTIES_FIELD_NUMBER << 3) | 2 ->
            certificate(in, false);
        case (TLSProperties.PEER_CERTIFICATE_PROPERTIES_FIELD_NUMBER << 3) | 2 -> {
          hasPeerCertificate = true;
          certificate(in, true);
        }
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  /** The first {@code spiffe://} URI SAN of a certificate (occurrences merge: first overall). */
  private void certificate(CodedInputStream in, boolean peer) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == ((TLSProperties.CertificateProperties.SUBJECT_ALT_NAME_FIELD_NUMBER << 3) | 2)) {
        subjectAltName(in);
        if (sanCase == 1 && startsWith(sanOff, sanLen, SPIFFE)) {
          if (peer && peerSanOff == NONE) {
            peerSanOff = sanOff;
            peerSanLen = sanLen;
          } else if (!peer && localSanOff == NONE) {
            localSanOff = sanOff;
            localSanLen = sanLen;
          }
        }
      } else {
        skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void subjectAltName(CodedInputStream in) throws IOException {
    sanCase = 0;
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (TLSProperties.CertificateProperties.SubjectAltName.URI_FIELD_NUMBER << 3) | 2 -> {
          sanCase = 1;
          sanLen = length(in);
          sanOff = position(in);
          in.skipRawBytes(sanLen);
        }
        case (TLSProperties.CertificateProperties.SubjectAltName.DNS_FIELD_NUMBER << 3) | 2 -> {
          sanCase = 2;
          in.skipRawBytes(length(in));
        }
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void startTime(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case 1 << 3 -> startSeconds = in.readInt64();
        case 2 << 3 -> startNanos = in.readInt32();
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void duration(CodedInputStream in, int slot) throws IOException {
    durationPresent[slot] = true;
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case 1 << 3 -> durationSeconds[slot] = in.readInt64();
        case 2 << 3 -> durationNanos[slot] = in.readInt32();
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void address(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (Address.SOCKET_ADDRESS_FIELD_NUMBER << 3) | 2 -> {
          if (addressCase != ADDRESS_SOCKET) {
            // A oneof case that starts again starts from an empty message.
            clearEndpoint();
            addressCase = ADDRESS_SOCKET;
          }
          hasSocketAddress = true;
          socketAddress(in);
        }
        case (Address.ENVOY_INTERNAL_ADDRESS_FIELD_NUMBER << 3) | 2 -> {
          if (addressCase != ADDRESS_INTERNAL) {
            clearEndpoint();
            addressCase = ADDRESS_INTERNAL;
          }
          internalAddress(in);
        }
        case (Address.PIPE_FIELD_NUMBER << 3) | 2 -> {
          clearEndpoint();
          addressCase = ADDRESS_PIPE;
          in.skipRawBytes(length(in));
        }
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void clearEndpoint() {
    hasSocketAddress = false;
    addressOff = 0;
    addressLen = 0;
    hasPortValue = false;
    portValue = 0;
    endpointIdOff = NONE;
    endpointIdLen = 0;
  }

  /**
   * An internal listener's address. Istio's waypoints, and sidecars sending to ambient workloads,
   * reach each endpoint through the {@code connect_originate} listener, with the upstream's {@code
   * ip:port} ({@code [ip]:port} for IPv6) as the endpoint id: that is the endpoint. The last id
   * read counts; it is resolved once the entry is read ({@link #endpointId}).
   */
  private void internalAddress(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == ((EnvoyInternalAddress.ENDPOINT_ID_FIELD_NUMBER << 3) | 2)) {
        endpointIdLen = length(in);
        endpointIdOff = position(in);
        in.skipRawBytes(endpointIdLen);
      } else {
        skip(in, tag);
      }
    }
    exit(in, limit);
  }

  /**
   * Takes {@code host:port} or {@code [host]:port} (a port of one to five digits, at most 65535; no
   * bracket elsewhere) as the endpoint; anything else leaves the entry without one.
   */
  private void endpointId(int off, int len) {
    int end = off + len;
    int colon = end - 1;
    while (colon >= off && buf[colon] != ':') {
      colon--;
    }
    int digits = end - colon - 1;
    if (colon <= off || digits < 1 || digits > 5) {
      return;
    }
    int port = 0;
    for (int i = colon + 1; i < end; i++) {
      int digit = buf[i] - '0';
      if (digit < 0 || digit > 9) {
        return;
      }
      port = port * 10 + digit;
    }
    int hostOff = off;
    int hostEnd = colon;
    boolean bracketed = buf[hostOff] == '[';
    if (bracketed) {
      if (hostEnd - hostOff < 3 || buf[hostEnd - 1] != ']') {
        return;
      }
      hostOff++;
      hostEnd--;
    }
    for (int i = hostOff; i < hostEnd; i++) {
      byte b = buf[i];
      // Unbracketed, a ':' is an IPv6 address whose port cannot be told from it.
      if (b == '[' || b == ']' || (b == ':' && !bracketed)) {
        return;
      }
    }
    if (port > 65_535) {
      return;
    }
    hasSocketAddress = true;
    addressOff = hostOff;
    addressLen = hostEnd - hostOff;
    hasPortValue = true;
    portValue = port;
  }

  private void socketAddress(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (SocketAddress.ADDRESS_FIELD_NUMBER << 3) | 2 -> {
          addressLen = length(in);
          addressOff = position(in);
          in.skipRawBytes(addressLen);
        }
        case SocketAddress.PORT_VALUE_FIELD_NUMBER << 3 -> {
          hasPortValue = true;
          portValue = in.readUInt32();
        }
        case (SocketAddress.NAMED_PORT_FIELD_NUMBER << 3) | 2 -> {
          hasPortValue = false;
          portValue = 0;
          in.skipRawBytes(length(in));
        }
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void responseFlags(CodedInputStream in) throws IOException {
    hasFlags = true;
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      int number = WireFormat.getTagFieldNumber(tag);
      int wireType = WireFormat.getTagWireType(tag);
      byte kind = number < FLAG_KINDS.length ? FLAG_KINDS[number] : 0;
      if (kind == 1 && wireType == WireFormat.WIRETYPE_VARINT) {
        if (in.readBool()) {
          flags |= 1L << (number - 1);
        } else {
          flags &= ~(1L << (number - 1));
        }
      } else if (kind == 2 && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        flags |= 1L << (number - 1);
        in.skipRawBytes(length(in));
      } else {
        skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void request(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case HTTPRequestProperties.REQUEST_METHOD_FIELD_NUMBER << 3 -> method = in.readEnum();
        case (HTTPRequestProperties.AUTHORITY_FIELD_NUMBER << 3) | 2 -> {
          authorityLen = length(in);
          authorityOff = position(in);
          in.skipRawBytes(authorityLen);
        }
        case (HTTPRequestProperties.PATH_FIELD_NUMBER << 3) | 2 -> {
          pathLen = length(in);
          pathOff = position(in);
          in.skipRawBytes(pathLen);
        }
        case (HTTPRequestProperties.REQUEST_ID_FIELD_NUMBER << 3) | 2 -> {
          requestIdLen = length(in);
          requestIdOff = position(in);
          in.skipRawBytes(requestIdLen);
        }
        case HTTPRequestProperties.REQUEST_HEADERS_BYTES_FIELD_NUMBER << 3 ->
            requestHeadersBytes = in.readUInt64();
        case HTTPRequestProperties.REQUEST_BODY_BYTES_FIELD_NUMBER << 3 ->
            requestBodyBytes = in.readUInt64();
        case (HTTPRequestProperties.REQUEST_HEADERS_FIELD_NUMBER << 3) | 2 -> requestHeader(in);
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void response(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (HTTPResponseProperties.RESPONSE_CODE_FIELD_NUMBER << 3) | 2 -> responseCode(in);
        case HTTPResponseProperties.RESPONSE_HEADERS_BYTES_FIELD_NUMBER << 3 ->
            responseHeadersBytes = in.readUInt64();
        case HTTPResponseProperties.RESPONSE_BODY_BYTES_FIELD_NUMBER << 3 ->
            responseBodyBytes = in.readUInt64();
        case (HTTPResponseProperties.RESPONSE_HEADERS_FIELD_NUMBER << 3) | 2 ->
            responseHeader(in, false);
        case (HTTPResponseProperties.RESPONSE_TRAILERS_FIELD_NUMBER << 3) | 2 ->
            responseHeader(in, true);
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void responseCode(CodedInputStream in) throws IOException {
    hasResponseCode = true;
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == 1 << 3) {
        responseCode = in.readUInt32();
      } else {
        skip(in, tag);
      }
    }
    exit(in, limit);
  }

  private void connection(CodedInputStream in) throws IOException {
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case ConnectionProperties.RECEIVED_BYTES_FIELD_NUMBER << 3 ->
            receivedBytes = in.readUInt64();
        case ConnectionProperties.SENT_BYTES_FIELD_NUMBER << 3 -> sentBytes = in.readUInt64();
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  // A map entry being read: key and value ranges (a missing key or value is empty).
  private int keyOff;
  private int keyLen;
  private int valueOff;
  private int valueLen;

  private void mapEntry(CodedInputStream in) throws IOException {
    keyOff = 0;
    keyLen = 0;
    valueOff = 0;
    valueLen = 0;
    int limit = enter(in);
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (1 << 3) | 2 -> {
          keyLen = length(in);
          keyOff = position(in);
          in.skipRawBytes(keyLen);
        }
        case (2 << 3) | 2 -> {
          valueLen = length(in);
          valueOff = position(in);
          in.skipRawBytes(valueLen);
        }
        default -> skip(in, tag);
      }
    }
    exit(in, limit);
  }

  /**
   * A filter state object: Istio's peer metadata is an {@code Any} holding a {@code Struct}. A
   * later entry of the same key replaces an earlier one, as in a map. Metadata of another type, or
   * whose Struct does not parse, is unreadable: the entry is mapped without it.
   */
  private void filterState(CodedInputStream in) throws IOException {
    mapEntry(in);
    int side;
    if (equalsAscii(keyOff, keyLen, DOWNSTREAM_PEER)) {
      side = DOWNSTREAM;
    } else if (equalsAscii(keyOff, keyLen, UPSTREAM_PEER)) {
      side = UPSTREAM;
    } else {
      return;
    }
    int at = side * PEER_FIELDS.length;
    boolean read;
    try {
      clearPeer(at);
      read = any(valueOff, valueLen, at);
    } catch (IOException e) {
      read = false;
    }
    peerState[side] = read ? PEER_READ : PEER_UNREADABLE;
    if (!read) {
      clearPeer(at);
    }
  }

  private void clearPeer(int at) {
    Arrays.fill(peerOff, at, at + PEER_FIELDS.length, NONE);
    Arrays.fill(peerLen, at, at + PEER_FIELDS.length, 0);
  }

  /** Reads the Any at {@code buf[off, off + len)}; false when it holds no Struct. */
  private boolean any(int off, int len, int at) throws IOException {
    boolean struct = false;
    int structOff = off;
    int structLen = 0;
    int end = off + len;
    int p = off;
    while (p < end) {
      int tag = tagAt(p, end);
      if (tag == ((1 << 3) | 2)) {
        int typeLen = lengthAt();
        struct = equalsAscii(cur, typeLen, STRUCT_TYPE);
        p = cur + typeLen;
      } else if (tag == ((2 << 3) | 2)) {
        structLen = lengthAt();
        structOff = cur;
        p = cur + structLen;
      } else {
        p = skipAt(tag);
      }
    }
    if (struct) {
      struct(structOff, structLen, at);
    }
    return struct;
  }

  /** The Struct's fields the mapping uses: their string values' ranges, by {@code at + index}. */
  private void struct(int off, int len, int at) throws IOException {
    int end = off + len;
    int p = off;
    while (p < end) {
      int tag = tagAt(p, end);
      if (tag == ((1 << 3) | 2)) {
        int entryLen = lengthAt();
        int entryOff = cur;
        p = entryOff + entryLen;
        structField(entryOff, entryLen, at);
      } else {
        p = skipAt(tag);
      }
    }
  }

  /** One {@code fields} entry (key 1, Value 2): a field's later entry replaces an earlier one. */
  private void structField(int off, int len, int at) throws IOException {
    int nameOff = 0;
    int nameLen = 0;
    int valueAt = NONE;
    int valueSize = 0;
    int end = off + len;
    int p = off;
    while (p < end) {
      int tag = tagAt(p, end);
      if (tag == ((1 << 3) | 2)) {
        nameLen = lengthAt();
        nameOff = cur;
        p = cur + nameLen;
      } else if (tag == ((2 << 3) | 2)) {
        valueSize = lengthAt();
        valueAt = cur;
        p = cur + valueSize;
      } else {
        p = skipAt(tag);
      }
    }
    int field = NONE;
    for (int i = 0; i < PEER_FIELD_NAMES.length; i++) {
      if (equalsAscii(nameOff, nameLen, PEER_FIELD_NAMES[i])) {
        field = i;
        break;
      }
    }
    if (field == NONE) {
      return;
    }
    // Value's kind is a oneof: its last case wins; a string_value (3) is the only one used.
    int stringOff = NONE;
    int stringLen = 0;
    if (valueAt != NONE) {
      int valueEnd = valueAt + valueSize;
      p = valueAt;
      while (p < valueEnd) {
        int tag = tagAt(p, valueEnd);
        int number = tag >>> 3;
        if (tag == ((3 << 3) | 2)) {
          stringLen = lengthAt();
          stringOff = cur;
          p = cur + stringLen;
        } else {
          if (number >= 1 && number <= 6) {
            stringOff = NONE;
            stringLen = 0;
          }
          p = skipAt(tag);
        }
      }
    }
    peerOff[at + field] = stringOff;
    peerLen[at + field] = stringLen;
  }

  // A cursor over buf for the peer metadata, read field by field without allocating.
  private int cur;
  private int curEnd;

  /** The tag at {@code buf[p]}, within {@code end}; the cursor is then after it. */
  private int tagAt(int p, int end) throws InvalidProtocolBufferException {
    cur = p;
    curEnd = end;
    long tag = varint();
    if ((tag >>> 3) == 0 || tag > Integer.MAX_VALUE) {
      throw new InvalidProtocolBufferException("invalid tag");
    }
    return (int) tag;
  }

  private long varint() throws InvalidProtocolBufferException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (cur >= curEnd) {
        throw new InvalidProtocolBufferException("truncated peer metadata");
      }
      byte b = buf[cur++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new InvalidProtocolBufferException("malformed varint in peer metadata");
  }

  /** A length at the cursor, checked to fit. */
  private int lengthAt() throws InvalidProtocolBufferException {
    long length = varint();
    if (length < 0 || length > curEnd - cur) {
      throw new InvalidProtocolBufferException("truncated peer metadata");
    }
    return (int) length;
  }

  /** Skips the value of the field of {@code tag} at the cursor; returns where it ends. */
  private int skipAt(int tag) throws InvalidProtocolBufferException {
    switch (tag & 7) {
      case WireFormat.WIRETYPE_VARINT -> varint();
      case WireFormat.WIRETYPE_FIXED64 -> cur += 8;
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> cur += lengthAt();
      case WireFormat.WIRETYPE_FIXED32 -> cur += 4;
      default -> throw new InvalidProtocolBufferException("unsupported wire type in peer metadata");
    }
    if (cur > curEnd) {
      throw new InvalidProtocolBufferException("truncated peer metadata");
    }
    return cur;
  }

  private static byte[][] peerFieldNames() {
    byte[][] names = new byte[PEER_FIELDS.length][];
    for (int i = 0; i < names.length; i++) {
      names[i] = ascii(PEER_FIELDS[i]);
    }
    return names;
  }

  private void requestHeader(CodedInputStream in) throws IOException {
    mapEntry(in);
    if (equalsAscii(keyOff, keyLen, TRACEPARENT)) {
      traceparentOff = valueOff;
      traceparentLen = valueLen;
    } else if (equalsAscii(keyOff, keyLen, B3_TRACE_ID)) {
      b3Off = valueOff;
      b3Len = valueLen;
    } else if (equalsAscii(keyOff, keyLen, CONTENT_TYPE)) {
      contentTypeOff = valueOff;
      contentTypeLen = valueLen;
    }
    if (keepHeaders) {
      if (headers.length < (headerCount + 1) * 4) {
        headers = Arrays.copyOf(headers, Math.max(16, headers.length * 2));
      }
      int i = headerCount++ * 4;
      headers[i] = keyOff;
      headers[i + 1] = keyLen;
      headers[i + 2] = valueOff;
      headers[i + 3] = valueLen;
    }
  }

  private void responseHeader(CodedInputStream in, boolean trailer) throws IOException {
    mapEntry(in);
    if (equalsAscii(keyOff, keyLen, GRPC_STATUS)) {
      if (trailer) {
        trailerGrpcOff = valueOff;
        trailerGrpcLen = valueLen;
      } else {
        headerGrpcOff = valueOff;
        headerGrpcLen = valueLen;
      }
    }
  }

  /** Whether {@code buf[off, off + len)} starts with the ASCII {@code prefix}. */
  boolean startsWith(int off, int len, String prefix) {
    if (len < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (buf[off + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean equalsAscii(int off, int len, byte[] text) {
    return len == text.length && Arrays.equals(buf, off, off + len, text, 0, text.length);
  }

  private static int length(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      throw new InvalidProtocolBufferException("negative length");
    }
    return length;
  }

  /** The index in {@link #buf} of the stream's next byte. */
  private int position(CodedInputStream in) {
    return base + in.getTotalBytesRead();
  }

  private static int enter(CodedInputStream in) throws IOException {
    return in.pushLimit(length(in));
  }

  private static void exit(CodedInputStream in, int limit) throws IOException {
    in.checkLastTagWas(0);
    in.popLimit(limit);
  }

  private static void skip(CodedInputStream in, int tag) throws IOException {
    if (!in.skipField(tag)) {
      throw new InvalidProtocolBufferException("unexpected end-group tag");
    }
  }

  private static byte[] flagKinds() {
    byte[] kinds = new byte[65];
    for (var field : ResponseFlags.getDescriptor().getFields()) {
      if (field.getNumber() > 64) {
        continue;
      }
      kinds[field.getNumber()] =
          switch (field.getJavaType()) {
            case BOOLEAN -> 1;
            case MESSAGE -> 2;
            default -> 0;
          };
    }
    return kinds;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
