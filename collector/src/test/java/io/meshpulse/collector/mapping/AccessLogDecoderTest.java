package io.meshpulse.collector.mapping;

import static io.meshpulse.collector.EnvoyFixtures.http;
import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Protocol;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder's reading of an HTTP entry as Istio's stats filter reads the request: whether it is
 * gRPC and its gRPC status (Envoy's Grpc::Common), and whether the entry is a request at all (its
 * access_log_type).
 */
class AccessLogDecoderTest {
  private final AccessRecordMapper mapper = new AccessRecordMapper(MappingOptions.defaults());
  private final NodeIdentity productpage =
      new NodeIdentityResolver(PlainNodeMapping.defaults()).resolve(node("istio-sidecar-node"));

  @ParameterizedTest(name = "HTTP {0} -> gRPC {1}")
  @CsvSource({
    "400, 13", // INTERNAL
    "401, 16", // UNAUTHENTICATED
    "403, 7", // PERMISSION_DENIED
    "404, 12", // UNIMPLEMENTED
    "429, 14", // UNAVAILABLE
    "502, 14",
    "503, 14",
    "504, 14",
    "500, 2", // UNKNOWN, as any other code
    "418, 2",
    "200, 2" // no exception for 200: a gRPC response that ended without a status
  })
  void grpcRequestWithoutGrpcStatus_takesTheStatusEnvoyGivesItsResponseCode(
      int responseCode, int grpcStatus) throws InvalidProtocolBufferException {
    HTTPAccessLogEntry.Builder entry = grpcEntryWithoutStatus();
    entry.getResponseBuilder().setResponseCode(UInt32Value.of(responseCode));

    MappedAccess mapped = map(entry.build());
    AccessRecord record = mapped.toRecord();

    assertThat(record.getProtocol()).as("protocol").isEqualTo(Protocol.PROTOCOL_GRPC);
    assertThat(mapped.hasGrpcStatus()).as("the Istio label's grpc status").isTrue();
    assertThat(mapped.grpcStatus()).as("the Istio label's grpc status").isEqualTo(grpcStatus);
    assertThat(record.hasGrpcStatus())
        .as("the record keeps only a carried status: the health job judges the HTTP code")
        .isFalse();
    assertThat(MappedAccess.of(record).grpcStatus())
        .as("the label of the record read back")
        .isEqualTo(grpcStatus);
  }

  @Test
  void grpcStatus_isTheTrailersElseTheHeadersElseTheResponseCodes()
      throws InvalidProtocolBufferException {
    HTTPAccessLogEntry.Builder both = grpcEntryWithoutStatus();
    both.getResponseBuilder()
        .setResponseCode(UInt32Value.of(503))
        .putResponseTrailers("grpc-status", "5")
        .putResponseHeaders("grpc-status", "9");
    HTTPAccessLogEntry.Builder trailersOnly = grpcEntryWithoutStatus();
    trailersOnly
        .getResponseBuilder()
        .setResponseCode(UInt32Value.of(503))
        .putResponseHeaders("grpc-status", "9");
    HTTPAccessLogEntry.Builder emptyTrailer = grpcEntryWithoutStatus();
    emptyTrailer
        .getResponseBuilder()
        .setResponseCode(UInt32Value.of(503))
        .putResponseTrailers("grpc-status", "")
        .putResponseHeaders("grpc-status", "9");
    HTTPAccessLogEntry.Builder noResponse = grpcEntryWithoutStatus();
    noResponse.getResponseBuilder().clearResponseCode();

    assertThat(map(both.build()).toRecord().getGrpcStatus()).as("trailer first").isEqualTo(5);
    assertThat(map(trailersOnly.build()).toRecord().getGrpcStatus())
        .as("header of a trailers-only response, before the response code")
        .isEqualTo(9);
    assertThat(map(emptyTrailer.build()).toRecord().getGrpcStatus())
        .as("an empty trailer is none, as for Envoy: the header is next")
        .isEqualTo(9);
    assertThat(map(noResponse.build()).toRecord().hasGrpcStatus())
        .as("no grpc-status and no response code: none (Istio's empty label)")
        .isFalse();
  }

  @Test
  void grpcStatusValues_readAsEnvoyReadsThem_anythingButZeroToSixteenIsInvalid()
      throws InvalidProtocolBufferException {
    Map<String, Integer> expected = new LinkedHashMap<>();
    // Above 16: Envoy's InvalidCode, -1 (istio_stats allows no user-defined status).
    expected.put("17", -1);
    expected.put("99999999999", -1);
    expected.put("-3", -1);
    expected.put("x", -1);
    expected.put(" ", -1);
    expected.put("+", -1);
    // Numbers as absl::SimpleAtoi reads them.
    expected.put("+5", 5);
    expected.put(" 7\t", 7);
    expected.put("007", 7);
    expected.put("16", 16);
    Map<String, Integer> actual = new LinkedHashMap<>();
    for (String value : expected.keySet()) {
      HTTPAccessLogEntry.Builder entry = grpcEntryWithoutStatus();
      // An invalid trailer does not fall through to the header.
      entry
          .getResponseBuilder()
          .putResponseTrailers("grpc-status", value)
          .putResponseHeaders("grpc-status", "9");
      AccessRecord record = map(entry.build()).toRecord();
      actual.put(value, record.hasGrpcStatus() ? record.getGrpcStatus() : null);
    }

    assertThat(actual).as("grpc status by grpc-status trailer").isEqualTo(expected);
  }

  @Test
  void onlyTheRequestsContentType_makesARequestGrpc() throws InvalidProtocolBufferException {
    assertThat(protocolOf("application/grpc")).as("application/grpc").isEqualTo("GRPC 14");
    assertThat(protocolOf("application/grpc+proto")).as("a codec").isEqualTo("GRPC 14");
    assertThat(protocolOf("application/grpc-web"))
        .as("grpc-web: its response's grpc-status is kept in the record")
        .isEqualTo("HTTP 14");
    assertThat(protocolOf("application/grpc-web+proto")).as("grpc-web+proto").isEqualTo("HTTP 14");
    assertThat(protocolOf("application/grpc;charset=utf-8"))
        .as("with a parameter: Envoy compares the value as is")
        .isEqualTo("HTTP 14");
    assertThat(protocolOf(null))
        .as("no content-type logged: a grpc-status in the response does not make it gRPC")
        .isEqualTo("HTTP 14");

    HTTPAccessLogEntry.Builder grpcWeb = grpcEntryWithoutStatus();
    grpcWeb.getRequestBuilder().putRequestHeaders("content-type", "application/grpc-web");
    grpcWeb.getResponseBuilder().setResponseCode(UInt32Value.of(503));
    assertThat(map(grpcWeb.build()).toRecord().hasGrpcStatus())
        .as("no status is inferred for a request that is not gRPC")
        .isFalse();
  }

  /** "protocol status" of the grpc fixture (its trailer grpc-status 14) with this content type. */
  private String protocolOf(String contentType) throws InvalidProtocolBufferException {
    HTTPAccessLogEntry.Builder entry = http("istio-outbound-grpc-entry").toBuilder();
    if (contentType == null) {
      entry.getRequestBuilder().removeRequestHeaders("content-type");
    } else {
      entry.getRequestBuilder().putRequestHeaders("content-type", contentType);
    }
    AccessRecord record = map(entry.build()).toRecord();
    return record.getProtocol().name().substring("PROTOCOL_".length())
        + " "
        + (record.hasGrpcStatus() ? record.getGrpcStatus() : "none");
  }

  @Test
  void httpEntriesThatAreNotARequestsEnd_mapToNoRecord_andAreCountedByType()
      throws InvalidProtocolBufferException {
    AccessLogType[] types = {
      AccessLogType.DownstreamStart,
      AccessLogType.DownstreamPeriodic,
      AccessLogType.DownstreamPeriodic,
      AccessLogType.DownstreamTunnelSuccessfullyEstablished,
      AccessLogType.UpstreamPoolReady,
      AccessLogType.UpstreamPeriodic,
      AccessLogType.UpstreamEnd,
      AccessLogType.TcpPeriodic,
      AccessLogType.DownstreamEnd,
      AccessLogType.NotSet
    };
    StreamAccessLogsMessage.HTTPAccessLogEntries.Builder entries =
        StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
    for (AccessLogType type : types) {
      HTTPAccessLogEntry.Builder entry = http("istio-outbound-grpc-entry").toBuilder();
      entry.getCommonPropertiesBuilder().setAccessLogType(type);
      entries.addLogEntry(entry);
    }
    HTTPAccessLogEntry.Builder unknown = http("istio-outbound-grpc-entry").toBuilder();
    unknown.getCommonPropertiesBuilder().setAccessLogTypeValue(99);
    entries.addLogEntry(unknown);
    AccessLogMessage message =
        AccessLogMessage.read(
            StreamAccessLogsMessage.newBuilder().setHttpLogs(entries).build().toByteArray());
    AccessLogDecoder decoder = mapper.newDecoder();

    Map<String, Boolean> mapped = new LinkedHashMap<>();
    for (int i = 0; i < message.entries(); i++) {
      String type = i < types.length ? types[i].name() + "#" + i : "99";
      mapped.put(type, decoder.map(productpage, message, i) != null);
    }
    Map<AccessLogDecoder.Skip, Integer> skipped = new LinkedHashMap<>();
    decoder.takeSkippedEntries(skipped::put);
    Map<AccessLogDecoder.Skip, Integer> again = new LinkedHashMap<>();
    decoder.takeSkippedEntries(again::put);

    assertThat(mapped)
        .as("a record per entry type: only a request's end, or an entry without a type")
        .containsExactly(
            Map.entry("DownstreamStart#0", false),
            Map.entry("DownstreamPeriodic#1", false),
            Map.entry("DownstreamPeriodic#2", false),
            Map.entry("DownstreamTunnelSuccessfullyEstablished#3", false),
            Map.entry("UpstreamPoolReady#4", false),
            Map.entry("UpstreamPeriodic#5", false),
            Map.entry("UpstreamEnd#6", false),
            Map.entry("TcpPeriodic#7", false),
            Map.entry("DownstreamEnd#8", true),
            Map.entry("NotSet#9", true),
            Map.entry("99", false));
    assertThat(skipped)
        .as("skipped entries, by reason")
        .containsExactly(
            Map.entry(AccessLogDecoder.Skip.DOWNSTREAM_START, 1),
            Map.entry(AccessLogDecoder.Skip.DOWNSTREAM_PERIODIC, 2),
            Map.entry(AccessLogDecoder.Skip.DOWNSTREAM_TUNNEL_SUCCESSFULLY_ESTABLISHED, 1),
            Map.entry(AccessLogDecoder.Skip.UPSTREAM_POOL_READY, 1),
            Map.entry(AccessLogDecoder.Skip.UPSTREAM_PERIODIC, 1),
            Map.entry(AccessLogDecoder.Skip.UPSTREAM_END, 1),
            Map.entry(AccessLogDecoder.Skip.OTHER_TYPE, 2));
    assertThat(again).as("taken").isEmpty();
    assertThat(mapper.mapHttp(productpage, unknown.build()))
        .as("the one-entry mapping of a skipped entry")
        .isNull();
  }

  /** The outbound gRPC fixture (content-type application/grpc) without its grpc-status trailer. */
  private static HTTPAccessLogEntry.Builder grpcEntryWithoutStatus() {
    HTTPAccessLogEntry.Builder entry = http("istio-outbound-grpc-entry").toBuilder();
    entry.getResponseBuilder().clearResponseTrailers();
    return entry;
  }

  private MappedAccess map(HTTPAccessLogEntry entry) throws InvalidProtocolBufferException {
    byte[] bytes = entry.toByteArray();
    MappedAccess mapped = mapper.newDecoder().mapHttp(productpage, bytes, 0, bytes.length);
    assertThat(mapped).as("a record").isNotNull();
    return mapped;
  }
}
