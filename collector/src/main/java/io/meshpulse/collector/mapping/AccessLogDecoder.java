package io.meshpulse.collector.mapping;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjIntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Maps the entries of one stream's ALS messages from their wire bytes straight to serialized {@link
 * AccessRecord}s (the rules are {@link AccessRecordMapper}'s). What repeats within a stream (the
 * node's side of every record, cluster names, SPIFFE ids, flag texts) is worked out once and
 * reused; only the per-request fields are read and written per entry. Strings the record copies
 * (authority, request id, trace id, address) are checked to be UTF-8, as protobuf would. Not
 * thread-safe: one per stream.
 */
public final class AccessLogDecoder {
  private static final byte[][] METHOD_NAMES = methodNames();
  private static final String GRPC_CONTENT_TYPE = "application/grpc";
  private static final String INBOUND_PASSTHROUGH = AccessRecordMapper.INBOUND_PASSTHROUGH;
  // An array: context() runs for every entry, and looks at these without an iterator.
  private static final String[] OUTBOUND_PASSTHROUGH =
      AccessRecordMapper.OUTBOUND_PASSTHROUGH.toArray(String[]::new);

  /** No gRPC status: the request is not gRPC, or had no response and no grpc-status. */
  private static final int NO_GRPC_STATUS = Integer.MIN_VALUE;

  /**
   * Envoy's {@code Grpc::Status::WellKnownGrpcStatus::InvalidCode}: a grpc-status that is not a
   * status of 0 to 16. Istio's label then reads {@code -1}.
   */
  static final int INVALID_GRPC_STATUS = -1;

  /** UNAUTHENTICATED, Envoy's {@code WellKnownGrpcStatus::MaximumKnown}. */
  private static final int MAX_GRPC_STATUS = 16;

  /** TCP connections per stream whose byte totals are remembered between their entries. */
  static final int MAX_TCP_CONNECTIONS = 8192;

  private final AccessRecordMapper mapper;
  private final MappingOptions options;
  private final EntryReader reader;
  private final WireWriter out = new WireWriter();
  private final ByteRangeCache<EntryContext> contexts = new ByteRangeCache<>(16, 4096);
  private byte[] contextKey = new byte[256];
  // Most entries of a stream go to one port: its text is kept.
  private int lastPort;
  private byte[] lastPortText = new byte[0];
  private final Map<Long, FlagsText> flagTexts = new HashMap<>();
  private @Nullable NodeIdentity node;
  // Whether this stream's proxy logs TCP connections as they connect as well as when they end.
  private boolean logsTcpConnects;
  private final TcpByteTotals tcpTotals;
  private int unreadablePeerMetadata;
  // HTTP entries mapped to no record since the last take, by Skip ordinal.
  private final int[] skipped = new int[Skip.values().length];
  // Contexts built (a cache miss each), for tests.
  int contextsBuilt;
  private final long[] tcpBytes = new long[2];
  // What the last bytesSincePrevious knew of its connection's connect entry (TcpByteTotals.since).
  private int tcpConnectSeen;

  private record FlagsText(String text, byte[] bytes) {}

  private static final FlagsText NO_FLAGS = new FlagsText("-", new byte[] {'-'});

  AccessLogDecoder(
      AccessRecordMapper mapper,
      MappingOptions options,
      AtomicInteger tracked,
      long streamOpenedUnixMillis) {
    this.mapper = mapper;
    this.options = options;
    this.tcpTotals =
        new TcpByteTotals(
            MAX_TCP_CONNECTIONS, tracked, options.maxTcpConnections(), streamOpenedUnixMillis);
    this.reader = new EntryReader(!options.keepHeaders().isEmpty());
  }

  /**
   * Why an HTTP entry maps to no record: Envoy wrote it during a request, or beside its end, not as
   * the one entry of the request's end. Istio's stats filter counts a request once, when its stream
   * ends, and the health job must count it once too; an entry of these {@code access_log_type}s
   * would count it again, with a partial duration and partial byte counts. {@link #reason()} is the
   * {@code reason} of {@code meshpulse_collector_entries_skipped_total}.
   */
  public enum Skip {
    /**
     * {@code DownstreamStart}: the HTTP connection manager's {@code
     * flush_access_log_on_new_request}.
     */
    DOWNSTREAM_START("downstream_start"),
    /**
     * {@code DownstreamPeriodic}: the HTTP connection manager's {@code access_log_flush_interval}.
     */
    DOWNSTREAM_PERIODIC("downstream_periodic"),
    /** {@code DownstreamTunnelSuccessfullyEstablished}: a CONNECT tunnel was set up. */
    DOWNSTREAM_TUNNEL_SUCCESSFULLY_ESTABLISHED("downstream_tunnel_successfully_established"),
    /** {@code UpstreamPoolReady}: the router's upstream log, when the pool gave a connection. */
    UPSTREAM_POOL_READY("upstream_pool_ready"),
    /** {@code UpstreamPeriodic}: the router's upstream log, periodically. */
    UPSTREAM_PERIODIC("upstream_periodic"),
    /** {@code UpstreamEnd}: the router's upstream log, one per upstream attempt (retries too). */
    UPSTREAM_END("upstream_end"),
    /**
     * A TCP or UDP type in an HTTP entry, or a type newer than this collector: not known to be a
     * request's end, so not counted as one.
     */
    OTHER_TYPE("other_type");

    private final String reason;

    Skip(String reason) {
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }

    /**
     * Why an HTTP entry of {@code type} is skipped; null when it is a request's end: {@code
     * DownstreamEnd}, or no type (an Envoy older than {@code access_log_type}, which logs a request
     * once, at its end).
     */
    static @Nullable Skip of(int type) {
      return switch (type) {
        case AccessLogType.NotSet_VALUE, AccessLogType.DownstreamEnd_VALUE -> null;
        case AccessLogType.DownstreamStart_VALUE -> DOWNSTREAM_START;
        case AccessLogType.DownstreamPeriodic_VALUE -> DOWNSTREAM_PERIODIC;
        case AccessLogType.DownstreamTunnelSuccessfullyEstablished_VALUE ->
            DOWNSTREAM_TUNNEL_SUCCESSFULLY_ESTABLISHED;
        case AccessLogType.UpstreamPoolReady_VALUE -> UPSTREAM_POOL_READY;
        case AccessLogType.UpstreamPeriodic_VALUE -> UPSTREAM_PERIODIC;
        case AccessLogType.UpstreamEnd_VALUE -> UPSTREAM_END;
        default -> OTHER_TYPE;
      };
    }
  }

  /**
   * Maps entry {@code index} of {@code message}, reported by {@code node}; null for an HTTP entry
   * that is not a request's end ({@link Skip}), which is counted for {@link #takeSkippedEntries}.
   * Throws {@link InvalidProtocolBufferException} when the entry's bytes are not a well-formed
   * entry.
   */
  public @Nullable MappedAccess map(NodeIdentity node, AccessLogMessage message, int index)
      throws InvalidProtocolBufferException {
    return message.tcp()
        ? mapTcp(node, message.bytes(), message.offset(index), message.length(index))
        : mapHttp(node, message.bytes(), message.offset(index), message.length(index));
  }

  /**
   * TCP connections whose byte totals this stream forgot since the previous call, to make room
   * (more than {@value #MAX_TCP_CONNECTIONS} logged before their end): their next entries count
   * their running totals again.
   */
  public int takeForgottenTcpConnections() {
    return tcpTotals.takeForgotten();
  }

  /**
   * TCP connections this stream first saw in a periodic entry, started before the stream opened,
   * since the previous call: the entry set their baseline (see {@link TcpByteTotals}).
   */
  public int takeJoinedTcpConnections() {
    return tcpTotals.takeJoined();
  }

  /** Forgets the stream's TCP connections: call when the stream has ended. */
  public void close() {
    tcpTotals.close();
  }

  /**
   * Entries mapped since the previous call whose Istio peer metadata ({@code downstream_peer} or
   * {@code upstream_peer}) was not a readable {@code Struct}: they were mapped without it.
   */
  public int takeUnreadablePeerMetadata() {
    int n = unreadablePeerMetadata;
    unreadablePeerMetadata = 0;
    return n;
  }

  /**
   * Hands {@code counts} the HTTP entries mapped to no record since the previous call, per {@link
   * Skip} that has any: every entry received is a record, a skip or a malformed entry.
   */
  public void takeSkippedEntries(ObjIntConsumer<Skip> counts) {
    for (Skip skip : Skip.values()) {
      int n = skipped[skip.ordinal()];
      if (n > 0) {
        skipped[skip.ordinal()] = 0;
        counts.accept(skip, n);
      }
    }
  }

  /**
   * Maps one HTTP entry; null when it is not a request's end ({@link Skip}, counted). Such an entry
   * is read (malformed bytes still throw) but not mapped further.
   */
  @Nullable MappedAccess mapHttp(NodeIdentity node, byte[] buf, int off, int len)
      throws InvalidProtocolBufferException {
    EntryReader r = reader;
    r.read(buf, off, len, false);
    Skip skip = Skip.of(r.accessLogType);
    if (skip != null) {
      skipped[skip.ordinal()]++;
      return null;
    }
    EntryContext context = context(node);

    // gRPC or not is the request's to say, as for Istio's stats filter: a grpc-web request
    // answered with grpc-status is not gRPC, and a gRPC request answered without one still is.
    boolean grpc = grpcContentType(r);
    // The record keeps the status the response carried; the Istio label also infers one from the
    // response code, as Istio does. Inferred, a 429 (rate limited), a 400 or a 200 that ended
    // without trailers (a client cancelling a stream) would read as the endpoint's failure to the
    // health job, which judges an HTTP code as such (ErrorClass).
    int carried = carriedGrpcStatus(r);
    int labelled =
        carried == NO_GRPC_STATUS && grpc && r.hasResponseCode
            ? httpToGrpcStatus(r.responseCode)
            : carried;
    boolean hasGrpcStatus = carried != NO_GRPC_STATUS;
    int grpcStatus = hasGrpcStatus ? carried : 0;
    Protocol protocol = grpc ? Protocol.PROTOCOL_GRPC : Protocol.PROTOCOL_HTTP;
    int responseCode = r.hasResponseCode ? r.responseCode : 0;
    long requestBytes = r.requestHeadersBytes + r.requestBodyBytes;
    long responseBytes = r.responseHeadersBytes + r.responseBodyBytes;

    WireWriter w = out;
    w.reset();
    long duration = common(w, context, protocol, buf);
    w.uint32(AccessRecord.RESPONSE_CODE_FIELD_NUMBER, responseCode);
    if (hasGrpcStatus) {
      w.tag(AccessRecord.GRPC_STATUS_FIELD_NUMBER, 0);
      if (grpcStatus >= 0) {
        w.varint32(grpcStatus);
      } else {
        w.varint64(grpcStatus);
      }
    }
    String flagsText = flags(w, r.flags);
    times(w, r, duration);
    w.int64(AccessRecord.REQUEST_BYTES_FIELD_NUMBER, requestBytes);
    w.int64(AccessRecord.RESPONSE_BYTES_FIELD_NUMBER, responseBytes);
    if (r.method != 0) {
      w.string(AccessRecord.REQUEST_METHOD_FIELD_NUMBER, methodName(r.method));
    }
    w.string(
        AccessRecord.AUTHORITY_FIELD_NUMBER,
        buf,
        r.authorityOff,
        utf8(buf, r.authorityOff, r.authorityLen));
    if (options.keepPath()) {
      w.string(AccessRecord.PATH_FIELD_NUMBER, buf, r.pathOff, utf8(buf, r.pathOff, r.pathLen));
    }
    traceId(w, r, buf);
    w.string(
        AccessRecord.REQUEST_ID_FIELD_NUMBER,
        buf,
        r.requestIdOff,
        utf8(buf, r.requestIdOff, r.requestIdLen));
    w.raw(context.securityPolicyField);
    if (r.headerCount > 0) {
      keptHeaders(w, r, buf);
    }
    return new MappedAccess(
        key(context, buf),
        w.toByteArray(),
        context.reporter,
        context.source,
        context.destination,
        context.subset,
        context.securityPolicy,
        node.canonicalService(),
        node.canonicalRevision(),
        protocol,
        responseCode,
        labelled != NO_GRPC_STATUS,
        labelled != NO_GRPC_STATUS ? labelled : 0,
        flagsText,
        duration,
        requestBytes,
        responseBytes,
        false,
        false);
  }

  /**
   * Whether the request's content-type is gRPC's, as Envoy's {@code
   * Grpc::Common::hasGrpcContentType} (source/common/grpc/common.cc), which Istio's stats filter
   * asks through {@code isGrpcRequestHeaders}, has it: exactly {@code application/grpc}, or {@code
   * application/grpc+} and a codec ({@code application/grpc+proto}). Not {@code
   * application/grpc-web}, and not with parameters ({@code application/grpc;charset=utf-8}): Envoy
   * compares the value as is. Without a logged content-type (Envoy logs request headers only when
   * {@code additional_request_headers_to_log} names them) no request is gRPC.
   */
  private static boolean grpcContentType(EntryReader r) {
    int off = r.contentTypeOff;
    int len = r.contentTypeLen;
    int n = GRPC_CONTENT_TYPE.length();
    return off != EntryReader.NONE
        && r.startsWith(off, len, GRPC_CONTENT_TYPE)
        && (len == n || r.buf[off + n] == '+');
  }

  /**
   * The gRPC status the response carried, {@link #NO_GRPC_STATUS} when none: the grpc-status
   * trailer, else the header (a trailers-only response), as Envoy's {@code
   * Grpc::Common::getGrpcStatus(trailers, headers, info)} (source/common/grpc/common.cc) reads
   * them. Envoy then falls back to the status {@code Grpc::Utility::httpToGrpcStatus} gives the
   * response code ({@link #httpToGrpcStatus}), for any code: {@code allow_user_defined} only lets
   * statuses above 16 through (else they read as -1), so a 200 without grpc-status (a response that
   * ended without its trailers) is 2 UNKNOWN in Istio's metrics. That fallback is applied for the
   * Istio label only (see {@link #mapHttp}). The collector sees only what Envoy logs: grpc-status
   * only when {@code additional_response_trailers_to_log} (and {@code
   * additional_response_headers_to_log}, for trailers-only responses) name it. A request that is
   * not gRPC keeps the grpc-status its response carried (a grpc-web response does): Istio's label
   * is empty for it, but the health job classifies the status of any request.
   */
  private static int carriedGrpcStatus(EntryReader r) throws InvalidProtocolBufferException {
    int status = grpcStatus(r.buf, r.trailerGrpcOff, r.trailerGrpcLen);
    return status != NO_GRPC_STATUS ? status : grpcStatus(r.buf, r.headerGrpcOff, r.headerGrpcLen);
  }

  /**
   * One grpc-status value, as Envoy's {@code Grpc::Common::getGrpcStatus(trailers,
   * allow_user_defined = false)} reads it: none when absent or empty (the next place is asked); the
   * status when {@code absl::SimpleAtoi} reads a number of 0 to 16 (ASCII whitespace around it and
   * a leading {@code +} allowed); otherwise {@link #INVALID_GRPC_STATUS}, which does not fall
   * through to the next place. Throws when the value read is not UTF-8, as protobuf would.
   */
  private static int grpcStatus(byte[] buf, int off, int len)
      throws InvalidProtocolBufferException {
    if (off == EntryReader.NONE || len == 0) {
      return NO_GRPC_STATUS;
    }
    utf8(buf, off, len);
    int start = off;
    int end = off + len;
    while (start < end && asciiSpace(buf[start])) {
      start++;
    }
    while (end > start && asciiSpace(buf[end - 1])) {
      end--;
    }
    if (start < end && buf[start] == '+') {
      start++;
    }
    if (start == end) {
      return INVALID_GRPC_STATUS;
    }
    int value = 0;
    for (int i = start; i < end; i++) {
      int digit = buf[i] - '0';
      if (digit < 0 || digit > 9) {
        return INVALID_GRPC_STATUS;
      }
      value = Math.min(value * 10 + digit, MAX_GRPC_STATUS + 1);
    }
    return value <= MAX_GRPC_STATUS ? value : INVALID_GRPC_STATUS;
  }

  /** {@code absl::ascii_isspace}: space, \t, \n, \v, \f, \r. */
  private static boolean asciiSpace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r');
  }

  /**
   * The gRPC status of an HTTP response code, as Envoy's {@code Grpc::Utility::httpToGrpcStatus}
   * (source/common/grpc/status.cc, after gRPC's doc/http-grpc-status-mapping.md) has it: 400
   * INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429, 502, 503 and 504
   * UNAVAILABLE, any other code (200 and 500 too) UNKNOWN.
   */
  static int httpToGrpcStatus(int code) {
    return switch (code) {
      case 400 -> 13; // INTERNAL
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 12; // UNIMPLEMENTED
      case 429, 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
  }

  /**
   * Whether a TCP entry of {@code type} counts a connection as opened. A proxy logs a connection's
   * open only with {@code flush_access_log_on_connected} ({@code TcpUpstreamConnected}), and only
   * when the upstream connection succeeded; without it, Envoy logs a connection once, when it ends
   * ({@code TcpConnectionEnd}, or no type from an Envoy older than {@code access_log_type}), and
   * that entry counts its open too. Periodic entries count neither. On a stream that has carried a
   * {@code TcpUpstreamConnected} ({@code logsConnects}), an end entry counts the open only for a
   * connection named by its start time and address whose connect entry the stream has not seen
   * ({@code seen}, from {@link TcpByteTotals#since}) and that started after the stream opened
   * ({@code startedAfterStream}): its upstream connect failed ({@code UF}), so it had none, and
   * Istio's {@code istio_tcp_connections_opened_total} counts it all the same. One that started
   * before the stream had its connect counted by an earlier stream.
   */
  private static boolean tcpOpened(
      int type, boolean logsConnects, int seen, boolean startedAfterStream) {
    if (type == AccessLogType.TcpUpstreamConnected_VALUE || type == AccessLogType.NotSet_VALUE) {
      return true;
    }
    if (type != AccessLogType.TcpConnectionEnd_VALUE) {
      return false;
    }
    return !logsConnects || (seen == TcpByteTotals.NO_CONNECT_SEEN && startedAfterStream);
  }

  /**
   * The bytes a TCP (or UDP) entry of {@code type} moved (received, sent; in a reused array): what
   * its connection moved since its previous entry. Entries of a connect or periodic type are
   * remembered until the connection's end entry; an entry of any other type (an Envoy without
   * {@code access_log_type}, which logs a connection once, or a type not of a connection) counts
   * its totals and is not remembered.
   */
  private long[] bytesSincePrevious(int type) {
    EntryReader r = reader;
    long[] bytes = tcpBytes;
    TcpByteTotals.Entry entry = tcpEntry(type);
    tcpConnectSeen = TcpByteTotals.UNTRACKED;
    if (entry != null) {
      tcpConnectSeen =
          tcpTotals.since(
              r.startSeconds,
              r.startNanos,
              r.buf,
              r.downstreamOff,
              r.downstreamLen,
              r.receivedBytes,
              r.sentBytes,
              entry,
              bytes);
    } else {
      bytes[0] = r.receivedBytes;
      bytes[1] = r.sentBytes;
    }
    return bytes;
  }

  private static TcpByteTotals.@Nullable Entry tcpEntry(int type) {
    return switch (type) {
      case AccessLogType.TcpUpstreamConnected_VALUE,
          AccessLogType.UdpTunnelUpstreamConnected_VALUE ->
          TcpByteTotals.Entry.CONNECT;
      case AccessLogType.TcpPeriodic_VALUE, AccessLogType.UdpPeriodic_VALUE ->
          TcpByteTotals.Entry.PERIODIC;
      case AccessLogType.TcpConnectionEnd_VALUE, AccessLogType.UdpSessionEnd_VALUE ->
          TcpByteTotals.Entry.END;
      default -> null;
    };
  }

  MappedAccess mapTcp(NodeIdentity node, byte[] buf, int off, int len)
      throws InvalidProtocolBufferException {
    EntryReader r = reader;
    r.read(buf, off, len, true);
    EntryContext context = context(node);
    int type = r.accessLogType;
    if (type == AccessLogType.TcpUpstreamConnected_VALUE) {
      logsTcpConnects = true;
    }
    boolean closed =
        type == AccessLogType.TcpConnectionEnd_VALUE || type == AccessLogType.NotSet_VALUE;

    WireWriter w = out;
    w.reset();
    long duration = common(w, context, Protocol.PROTOCOL_TCP, buf);
    String flagsText = flags(w, r.flags);
    times(w, r, duration);
    byte[] key = key(context, buf);
    // Last, once nothing can fail: an entry that fails to map leaves the totals as they were.
    long[] bytes = bytesSincePrevious(type);
    boolean opened =
        tcpOpened(
            type,
            logsTcpConnects,
            tcpConnectSeen,
            tcpTotals.startedAfterStream(r.startSeconds, r.startNanos));
    w.int64(AccessRecord.REQUEST_BYTES_FIELD_NUMBER, bytes[0]);
    w.int64(AccessRecord.RESPONSE_BYTES_FIELD_NUMBER, bytes[1]);
    w.raw(context.securityPolicyField);
    if (opened) {
      w.tag(AccessRecord.CONNECTION_OPENED_FIELD_NUMBER, 0);
      w.varint32(1);
    }
    if (closed) {
      w.tag(AccessRecord.CONNECTION_CLOSED_FIELD_NUMBER, 0);
      w.varint32(1);
    }
    return new MappedAccess(
        key,
        w.toByteArray(),
        context.reporter,
        context.source,
        context.destination,
        context.subset,
        context.securityPolicy,
        node.canonicalService(),
        node.canonicalRevision(),
        Protocol.PROTOCOL_TCP,
        0,
        false,
        0,
        flagsText,
        duration,
        bytes[0],
        bytes[1],
        opened,
        closed);
  }

  /** Fields 1 to 9: the stream's shared prefix, the endpoint, the protocol; the duration. */
  private long common(WireWriter w, EntryContext context, Protocol protocol, byte[] buf)
      throws InvalidProtocolBufferException {
    EntryReader r = reader;
    w.raw(context.prefix);
    // The endpoint is always set (possibly empty), so always written.
    int addressLen = r.hasSocketAddress ? utf8(buf, r.addressOff, r.addressLen) : 0;
    int port = r.hasSocketAddress && r.hasPortValue ? r.portValue : 0;
    int size =
        (addressLen == 0 ? 0 : 1 + WireWriter.varintSize(addressLen) + addressLen)
            + (port == 0 ? 0 : 1 + WireWriter.varintSize(port & 0xFFFFFFFFL));
    w.tag(AccessRecord.ENDPOINT_FIELD_NUMBER, 2);
    w.varint32(size);
    w.string(Endpoint.ADDRESS_FIELD_NUMBER, buf, r.addressOff, addressLen);
    w.uint32(Endpoint.PORT_FIELD_NUMBER, port);
    w.uint32(AccessRecord.PROTOCOL_FIELD_NUMBER, protocol.getNumber());
    // Time to last downstream tx byte, else the upstream timings, else the entry's duration.
    if (r.durationPresent[EntryReader.LAST_DOWNSTREAM_TX]) {
      return micros(r, EntryReader.LAST_DOWNSTREAM_TX);
    }
    if (r.durationPresent[EntryReader.LAST_UPSTREAM_RX]) {
      return micros(r, EntryReader.LAST_UPSTREAM_RX);
    }
    if (r.durationPresent[EntryReader.FIRST_UPSTREAM_RX]) {
      return micros(r, EntryReader.FIRST_UPSTREAM_RX);
    }
    return r.durationPresent[EntryReader.DURATION] ? micros(r, EntryReader.DURATION) : 0;
  }

  /** Fields 12 and 13; returns the text. */
  private String flags(WireWriter w, long flags) {
    FlagsText text = flags == 0 ? NO_FLAGS : flagTexts.get(flags);
    if (text == null) {
      String joined = ResponseFlagsCodec.text(flags);
      text = new FlagsText(joined, joined.getBytes(StandardCharsets.UTF_8));
      if (flagTexts.size() >= 1024) {
        flagTexts.clear();
      }
      flagTexts.put(flags, text);
    }
    w.int64(AccessRecord.RESPONSE_FLAGS_FIELD_NUMBER, flags);
    w.string(AccessRecord.RESPONSE_FLAGS_TEXT_FIELD_NUMBER, text.bytes());
    return text.text();
  }

  /** Fields 14 to 16. */
  private static void times(WireWriter w, EntryReader r, long duration) {
    w.int64(
        AccessRecord.START_TIME_UNIX_MICROS_FIELD_NUMBER,
        r.startSeconds * 1_000_000L + r.startNanos / 1_000L);
    w.int64(AccessRecord.DURATION_MICROS_FIELD_NUMBER, duration);
    w.int64(
        AccessRecord.UPSTREAM_LATENCY_MICROS_FIELD_NUMBER,
        micros(r, EntryReader.FIRST_UPSTREAM_RX));
  }

  private static long micros(EntryReader r, int slot) {
    return r.durationSeconds[slot] * 1_000_000L + r.durationNanos[slot] / 1_000L;
  }

  /** The W3C traceparent's trace id or the B3 trace id, when Envoy was told to log them. */
  private void traceId(WireWriter w, EntryReader r, byte[] buf)
      throws InvalidProtocolBufferException {
    if (r.traceparentOff != EntryReader.NONE) {
      int off = r.traceparentOff;
      int end = off + r.traceparentLen;
      if (ascii(buf, off, r.traceparentLen)) {
        // version-traceid-parentid-flags: exactly three dashes, a 32-character trace id.
        int first = -1;
        int second = -1;
        int third = -1;
        int dashes = 0;
        for (int i = off; i < end && dashes < 4; i++) {
          if (buf[i] == '-') {
            dashes++;
            if (dashes == 1) {
              first = i;
            } else if (dashes == 2) {
              second = i;
            } else if (dashes == 3) {
              third = i;
            }
          }
        }
        if (dashes == 3 && third < end - 1 && second - first - 1 == 32) {
          w.string(AccessRecord.TRACE_ID_FIELD_NUMBER, buf, first + 1, 32);
          return;
        }
      } else {
        String id = AccessRecordMapper.traceparentId(string(buf, off, r.traceparentLen));
        if (id != null) {
          w.string(AccessRecord.TRACE_ID_FIELD_NUMBER, id.getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
    }
    if (r.b3Off != EntryReader.NONE) {
      w.string(AccessRecord.TRACE_ID_FIELD_NUMBER, buf, r.b3Off, utf8(buf, r.b3Off, r.b3Len));
    }
  }

  /** The configured request headers (lower-case names), field 27. */
  private void keptHeaders(WireWriter w, EntryReader r, byte[] buf)
      throws InvalidProtocolBufferException {
    Map<String, String> logged = new LinkedHashMap<>();
    for (int i = 0; i < r.headerCount; i++) {
      int[] h = r.headers;
      logged.put(string(buf, h[i * 4], h[i * 4 + 1]), string(buf, h[i * 4 + 2], h[i * 4 + 3]));
    }
    Map<String, String> kept = new LinkedHashMap<>();
    logged.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (options.keepHeaders().contains(lower)) {
            kept.put(lower, value);
          }
        });
    WireWriter entry = new WireWriter();
    kept.forEach(
        (name, value) -> {
          entry.reset();
          entry.string(1, name.getBytes(StandardCharsets.UTF_8));
          entry.string(2, value.getBytes(StandardCharsets.UTF_8));
          w.tag(AccessRecord.REQUEST_HEADERS_FIELD_NUMBER, 2);
          w.varint32(entry.size());
          w.raw(entry.toByteArray());
        });
  }

  /** {@code <cluster>/<address>:<port>}, or {@code <cluster>} without an address (RecordKeys). */
  private byte[] key(EntryContext context, byte[] buf) {
    EntryReader r = reader;
    byte[] cluster = context.clusterBytes;
    if (!r.hasSocketAddress || r.addressLen == 0) {
      return cluster;
    }
    boolean ipv6 = indexOf(buf, r.addressOff, r.addressOff + r.addressLen, (byte) ':') >= 0;
    int port = r.hasPortValue ? r.portValue : 0;
    if (port != lastPort || lastPortText.length == 0) {
      lastPort = port;
      lastPortText = Integer.toString(port).getBytes(StandardCharsets.US_ASCII);
    }
    byte[] portText = lastPortText;
    byte[] key = new byte[cluster.length + 1 + r.addressLen + (ipv6 ? 2 : 0) + 1 + portText.length];
    int i = 0;
    System.arraycopy(cluster, 0, key, i, cluster.length);
    i += cluster.length;
    key[i++] = '/';
    if (ipv6) {
      key[i++] = '[';
    }
    System.arraycopy(buf, r.addressOff, key, i, r.addressLen);
    i += r.addressLen;
    if (ipv6) {
      key[i++] = ']';
    }
    key[i++] = ':';
    System.arraycopy(portText, 0, key, i, portText.length);
    return key;
  }

  /**
   * The shared part of the entry just read, built on first use in this stream. Looked up by the raw
   * bytes it depends on (cluster name, both SPIFFE ids, whether there was a peer certificate, and
   * for passthrough clusters, inbound or outbound, the authority), laid end to end with their
   * lengths, so a hit costs one hash and one compare.
   */
  private EntryContext context(NodeIdentity node) throws InvalidProtocolBufferException {
    if (node != this.node) {
      contexts.clear();
      this.node = node;
    }
    EntryReader r = reader;
    byte[] buf = r.buf;
    // Passthrough entries name their service by the request's authority.
    boolean byAuthority = r.startsWith(r.clusterOff, r.clusterLen, INBOUND_PASSTHROUGH);
    for (int i = 0; i < OUTBOUND_PASSTHROUGH.length && !byAuthority; i++) {
      String egress = OUTBOUND_PASSTHROUGH[i];
      byAuthority =
          r.clusterLen == egress.length() && r.startsWith(r.clusterOff, r.clusterLen, egress);
    }
    int authorityLen = byAuthority ? r.authorityLen : 0;
    int fields = EntryReader.PEER_FIELDS.length;
    int size = 19 + r.clusterLen + r.peerSanLen + r.localSanLen + authorityLen;
    for (int side = EntryReader.DOWNSTREAM; side <= EntryReader.UPSTREAM; side++) {
      if (r.peerState[side] == EntryReader.PEER_READ) {
        for (int i = side * fields; i < (side + 1) * fields; i++) {
          size += 4 + r.peerLen[i];
        }
      }
    }
    if (contextKey.length < size) {
      contextKey = new byte[Math.max(size, contextKey.length * 2)];
    }
    int n = range(contextKey, 0, buf, r.clusterOff, r.clusterLen);
    n = range(contextKey, n, buf, r.peerSanOff, r.peerSanLen);
    n = range(contextKey, n, buf, r.localSanOff, r.localSanLen);
    n = range(contextKey, n, buf, r.authorityOff, authorityLen);
    // The peer metadata's fields the mapping uses (not its bytes: Envoy writes a Struct's fields
    // in no fixed order, and fields such as the pod name differ between the peer's pods).
    for (int side = EntryReader.DOWNSTREAM; side <= EntryReader.UPSTREAM; side++) {
      contextKey[n++] = (byte) r.peerState[side];
      if (r.peerState[side] == EntryReader.PEER_READ) {
        for (int i = side * fields; i < (side + 1) * fields; i++) {
          n = range(contextKey, n, buf, r.peerOff[i], r.peerLen[i]);
        }
      }
    }
    contextKey[n++] = (byte) (r.hasTls && r.hasPeerCertificate ? 1 : 0);
    EntryContext context = contexts.get(contextKey, 0, n);
    if (context == null) {
      contextsBuilt++;
      context =
          newContext(
              node,
              string(buf, r.clusterOff, r.clusterLen),
              principal(buf, r.peerSanOff, r.peerSanLen),
              principal(buf, r.localSanOff, r.localSanLen),
              r.hasTls && r.hasPeerCertificate,
              byAuthority ? string(buf, r.authorityOff, authorityLen) : "");
      contexts.put(contextKey, 0, n, context);
    }
    if (context.peerMetadataUnreadable) {
      unreadablePeerMetadata++;
    }
    return context;
  }

  /** Writes the length (-1 for none) and bytes of a range at {@code key[at]}; returns the end. */
  private static int range(byte[] key, int at, byte[] buf, int off, int len) {
    int length = off == EntryReader.NONE ? -1 : len;
    key[at] = (byte) (length >>> 24);
    key[at + 1] = (byte) (length >>> 16);
    key[at + 2] = (byte) (length >>> 8);
    key[at + 3] = (byte) length;
    if (length > 0) {
      System.arraycopy(buf, off, key, at + 4, len);
      return at + 4 + len;
    }
    return at + 4;
  }

  /**
   * The shared part of an entry. Istio's inbound passthrough clusters (traffic to a port of the pod
   * that no service declares) are logged by the destination's proxy: reporter DESTINATION, with the
   * destination service named as Istio names it ({@link AccessRecordMapper#passthroughDestination})
   * and the cluster name as the record's cluster. Its outbound ones ({@code PassthroughCluster},
   * {@code BlackHoleCluster}) are the source proxy's, their service the request's authority. A
   * waypoint's entries (reporter WAYPOINT) are neither side's: the source comes from the downstream
   * peer, the destination from the cluster's service and the upstream peer, as Istio's waypoint
   * metrics have them.
   */
  private EntryContext newContext(
      NodeIdentity node,
      String upstreamCluster,
      String peerPrincipal,
      String localPrincipal,
      boolean peerCertificate,
      String authority) {
    boolean passthrough = AccessRecordMapper.isInboundPassthrough(upstreamCluster);
    boolean egress = AccessRecordMapper.isOutboundPassthrough(upstreamCluster);
    IstioClusterName istio =
        passthrough ? null : IstioClusterName.parse(upstreamCluster).orElse(null);
    Reporter reporter =
        passthrough
            ? Reporter.REPORTER_DESTINATION
            : egress
                ? Reporter.REPORTER_SOURCE
                : istio == null
                    ? options.defaultReporter()
                    : switch (istio.direction()) {
                      case OUTBOUND -> Reporter.REPORTER_SOURCE;
                      case INBOUND -> Reporter.REPORTER_DESTINATION;
                      case WAYPOINT -> Reporter.REPORTER_WAYPOINT;
                    };
    String service = istio == null ? upstreamCluster : istio.service();
    if (service.isEmpty() && reporter == Reporter.REPORTER_DESTINATION) {
      // Newer Istio inbound clusters are "inbound|9080||": the service is the node's own.
      service = node.ownService();
    }
    boolean inbound = reporter == Reporter.REPORTER_DESTINATION;
    boolean waypoint = reporter == Reporter.REPORTER_WAYPOINT;
    boolean unreadable = false;
    PeerMetadata downstream = null;
    PeerMetadata upstream = null;
    if (inbound || waypoint) {
      try {
        downstream = peerMetadata(EntryReader.DOWNSTREAM);
      } catch (InvalidProtocolBufferException e) {
        unreadable = true; // mapped as if it had none, and counted
      }
    }
    if (!inbound) {
      try {
        upstream = peerMetadata(EntryReader.UPSTREAM);
      } catch (InvalidProtocolBufferException e) {
        unreadable = true;
      }
    }
    Peer source;
    Peer destination;
    if (inbound) {
      source = mapper.peer(node, AccessRecordMapper.Side.PEER_SOURCE, "", peerPrincipal);
      destination =
          passthrough
              ? AccessRecordMapper.passthroughDestination(
                  node, upstreamCluster, authority, localPrincipal)
              : mapper.peer(
                  node, AccessRecordMapper.Side.LOCAL_DESTINATION, service, localPrincipal);
    } else {
      // The entry's TLS properties are the downstream connection's: at a sidecar's outbound, the
      // application's plain one. Istio reads the upstream connection's certificate, which for a
      // mesh service is the workload's own; for other upstreams (no outbound cluster) it is
      // unknown here.
      String sourcePrincipal =
          localPrincipal.isEmpty() && istio != null ? node.peer().getPrincipal() : localPrincipal;
      source =
          waypoint
              ? mapper.peer(node, AccessRecordMapper.Side.PEER_SOURCE, "", peerPrincipal)
              : mapper.peer(node, AccessRecordMapper.Side.LOCAL_SOURCE, "", sourcePrincipal);
      destination =
          egress
              ? AccessRecordMapper.egressDestination(upstreamCluster, authority)
              : mapper.peer(node, AccessRecordMapper.Side.SERVICE, service, "");
    }
    if (downstream != null) {
      source = downstream.applyTo(source);
    }
    if (upstream != null) {
      destination = upstream.applyTo(destination);
    }
    boolean mutualTls = peerCertificate && !peerPrincipal.isEmpty();
    // A client-side proxy cannot tell how the server side secured the connection: Istio's
    // "unknown". A waypoint can only when the entry shows the downstream peer's certificate.
    String securityPolicy =
        inbound
            ? (mutualTls ? "mutual_tls" : "none")
            : waypoint && mutualTls ? "mutual_tls" : "unknown";
    return new EntryContext(
        node,
        reporter,
        source,
        destination,
        service,
        istio == null ? "" : istio.subset(),
        upstreamCluster,
        securityPolicy,
        unreadable);
  }

  /**
   * The peer metadata of {@code side} of the entry read, null when it has none; throws when it is
   * unreadable (not a Struct, or a used field's value is not UTF-8).
   */
  private @Nullable PeerMetadata peerMetadata(int side) throws InvalidProtocolBufferException {
    EntryReader r = reader;
    int state = r.peerState[side];
    if (state == EntryReader.PEER_NONE) {
      return null;
    }
    if (state == EntryReader.PEER_UNREADABLE) {
      throw new InvalidProtocolBufferException("peer metadata is not a readable Struct");
    }
    String[] values = new String[EntryReader.PEER_FIELDS.length];
    int at = side * values.length;
    for (int i = 0; i < values.length; i++) {
      int off = r.peerOff[at + i];
      values[i] = off == EntryReader.NONE ? "" : string(r.buf, off, r.peerLen[at + i]);
    }
    return new PeerMetadata(
        values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
  }

  private static String principal(byte[] buf, int off, int len)
      throws InvalidProtocolBufferException {
    return off == EntryReader.NONE ? "" : string(buf, off, len);
  }

  private static byte[] methodName(int method) {
    return method >= 0 && method < METHOD_NAMES.length
        ? METHOD_NAMES[method]
        : "UNRECOGNIZED".getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[][] methodNames() {
    int max = 0;
    for (RequestMethod method : RequestMethod.values()) {
      if (method != RequestMethod.UNRECOGNIZED) {
        max = Math.max(max, method.getNumber());
      }
    }
    byte[][] names = new byte[max + 1][];
    for (int i = 0; i <= max; i++) {
      RequestMethod method = RequestMethod.forNumber(i);
      names[i] =
          (method == null ? "UNRECOGNIZED" : method.name()).getBytes(StandardCharsets.US_ASCII);
    }
    return names;
  }

  /** Checks that {@code buf[off, off + len)} is UTF-8, as protobuf does for proto3 strings. */
  private static int utf8(byte[] buf, int off, int len) throws InvalidProtocolBufferException {
    if (!ascii(buf, off, len)) {
      string(buf, off, len);
    }
    return len;
  }

  /** {@code buf[off, off + len)} decoded as UTF-8; throws when it is not UTF-8. */
  private static String string(byte[] buf, int off, int len) throws InvalidProtocolBufferException {
    if (ascii(buf, off, len)) {
      return new String(buf, off, len, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, off, len))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidProtocolBufferException("a string field is not valid UTF-8");
    }
  }

  private static boolean ascii(byte[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (buf[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] buf, int from, int end) {
    return indexOf(buf, from, end, (byte) '-');
  }

  private static int indexOf(byte[] buf, int from, int end, byte b) {
    for (int i = from; i < end; i++) {
      if (buf[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
