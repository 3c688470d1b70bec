package io.meshpulse.collector.mapping;

import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.EnvoyInternalAddress;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.ConnectionProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties.CertificateProperties;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties.CertificateProperties.SubjectAltName;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Reporter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire decoder against the object-by-object mapping it replaced ({@link
 * ReferenceAccessRecordMapper}): thousands of random entries, with the odd shapes Envoy can send
 * (missing parts, oneof cases, non-SPIFFE SANs, bad trace headers, odd grpc-status values, IPv6,
 * named ports, unknown enum values, HTTP entries that are not a request's end), must give equal
 * records (or none), equal bytes and equal keys.
 */
class AccessRecordMapperEquivalenceTest {
  private static final String[] CLUSTERS = {
    "outbound|9080|v2|reviews.default.svc.cluster.local",
    "outbound|9080||ratings.shop.svc.cluster.local",
    "outbound|x|v1|bad-port.default.svc.cluster.local",
    "inbound|9080||",
    "inbound|9080|http|reviews.default.svc.cluster.local",
    "inbound-vip|9080|http/v2|reviews.default.svc.cluster.local",
    "inbound-vip|3306|tcp|mysql.db.svc.cluster.local",
    "inbound-vip|9080|http/|reviews.default.svc.cluster.local",
    "catalog",
    "",
    "outbound|9080|v1|süß.default.svc.cluster.local",
    "a|b|c|d|e",
    "InboundPassthroughClusterIpv4",
    "InboundPassthroughCluster",
    "InboundPassthroughClusterIpv6x",
    "PassthroughCluster",
    "BlackHoleCluster"
  };

  private final NodeIdentityResolver resolver =
      new NodeIdentityResolver(PlainNodeMapping.defaults());
  private final List<NodeIdentity> nodes =
      List.of(
          resolver.resolve(node("istio-sidecar-node")),
          resolver.resolve(node("istio-reviews-node")),
          resolver.resolve(node("plain-envoy-node")));

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void randomEntries_mapToTheSameRecordsBytesAndKeysAsTheObjectMapping(int variant)
      throws InvalidProtocolBufferException {
    MappingOptions options =
        switch (variant) {
          case 0 -> MappingOptions.defaults();
          case 1 ->
              new MappingOptions(
                  true,
                  Set.of("Content-Type", "x-tenant"),
                  PlainNodeMapping.defaults(),
                  Reporter.REPORTER_SOURCE);
          default ->
              new MappingOptions(
                  false, Set.of(), PlainNodeMapping.defaults(), Reporter.REPORTER_DESTINATION);
        };
    ReferenceAccessRecordMapper reference = new ReferenceAccessRecordMapper(options);
    AccessRecordMapper mapper = new AccessRecordMapper(options);
    SplittableRandom random = new SplittableRandom(17 + variant);
    int compared = 0;
    for (int batch = 0; batch < 60; batch++) {
      NodeIdentity node = nodes.get(random.nextInt(nodes.size()));
      boolean tcp = random.nextInt(4) == 0;
      StreamAccessLogsMessage.Builder message = StreamAccessLogsMessage.newBuilder();
      List<AccessRecord> expected = new ArrayList<>();
      boolean logsConnects = false; // a new decoder per batch: a new stream
      Map<List<Object>, long[]> totals = new HashMap<>();
      long[][] connections = new long[4][2];
      for (int i = 0; i < 50; i++) {
        if (tcp) {
          TCPAccessLogEntry entry = tcpEntry(random, connections);
          message.getTcpLogsBuilder().addLogEntry(entry);
          expected.add(reference.mapTcp(node, entry, logsConnects, totals));
          logsConnects |=
              entry.getCommonProperties().getAccessLogType() == AccessLogType.TcpUpstreamConnected;
        } else {
          HTTPAccessLogEntry entry = httpEntry(random);
          message.getHttpLogsBuilder().addLogEntry(entry);
          expected.add(reference.mapHttp(node, entry));
        }
      }
      AccessLogMessage read = AccessLogMessage.read(message.build().toByteArray());
      AccessLogDecoder decoder = mapper.newDecoder();
      // A second stream given each entry in a buffer of its own, at an offset: nothing read from
      // one entry may outlive it.
      AccessLogDecoder copies = mapper.newDecoder();
      assertThat(read.entries()).as("entries found").isEqualTo(expected.size());
      for (int i = 0; i < read.entries(); i++) {
        MappedAccess mapped = decoder.map(node, read, i);
        AccessRecord want = expected.get(i);
        int offset = random.nextInt(64);
        byte[] copy = new byte[offset + read.length(i) + random.nextInt(64)];
        System.arraycopy(read.bytes(), read.offset(i), copy, offset, read.length(i));
        MappedAccess fromCopy =
            tcp
                ? copies.mapTcp(node, copy, offset, read.length(i))
                : copies.mapHttp(node, copy, offset, read.length(i));
        compared++;
        if (want == null) {
          assertThat(mapped).as("entry %d of batch %d, not a request's end", i, batch).isNull();
          assertThat(fromCopy)
              .as("entry %d of batch %d, from a buffer of its own", i, batch)
              .isNull();
          continue;
        }
        assertThat(mapped).as("entry %d of batch %d", i, batch).isNotNull();
        assertThat(mapped.toRecord()).as("record %d of batch %d", i, batch).isEqualTo(want);
        assertThat(fromCopy)
            .as("entry %d of batch %d, from a buffer of its own", i, batch)
            .isNotNull();
        assertThat(fromCopy.toRecord())
            .as("record %d of batch %d, from a buffer of its own", i, batch)
            .isEqualTo(want);
        assertThat(mapped.value())
            .as("bytes of record %d of batch %d", i, batch)
            .isEqualTo(want.toByteArray());
        assertThat(new String(mapped.key(), StandardCharsets.UTF_8))
            .as("key of record %d of batch %d", i, batch)
            .isEqualTo(RecordKeys.of(want));
        assertThat(mapped.responseFlagsText())
            .as("flags text")
            .isEqualTo(want.getResponseFlagsText());
      }
    }
    assertThat(compared).as("records compared").isEqualTo(3000);
  }

  @Test
  void anEntryWithInvalidUtf8InACopiedString_isMalformed() throws InvalidProtocolBufferException {
    HTTPAccessLogEntry entry =
        HTTPAccessLogEntry.newBuilder()
            .setRequest(HTTPRequestProperties.newBuilder().setRequestId("request~id"))
            .build();
    byte[] bytes =
        StreamAccessLogsMessage.newBuilder()
            .setHttpLogs(
                StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addLogEntry(entry))
            .build()
            .toByteArray();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '~') {
        bytes[i] = (byte) 0xC3; // a lead byte without its continuation byte
      }
    }
    assertThatThrownBy(() -> StreamAccessLogsMessage.parseFrom(bytes))
        .as("protobuf's verdict")
        .isInstanceOf(InvalidProtocolBufferException.class);
    AccessLogMessage read = AccessLogMessage.read(bytes);

    assertThatThrownBy(
            () ->
                new AccessRecordMapper(MappingOptions.defaults())
                    .newDecoder()
                    .map(nodes.get(0), read, 0))
        .as("a request id that is not UTF-8")
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void theLastLogsCaseOnTheWire_winsAsInAOneof() throws InvalidProtocolBufferException {
    byte[] http =
        StreamAccessLogsMessage.newBuilder()
            .setHttpLogs(
                StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                    .addLogEntry(HTTPAccessLogEntry.getDefaultInstance()))
            .build()
            .toByteArray();
    byte[] tcp =
        StreamAccessLogsMessage.newBuilder()
            .setTcpLogs(
                StreamAccessLogsMessage.TCPAccessLogEntries.newBuilder()
                    .addLogEntry(TCPAccessLogEntry.getDefaultInstance())
                    .addLogEntry(TCPAccessLogEntry.getDefaultInstance()))
            .build()
            .toByteArray();
    byte[] both = new byte[http.length + tcp.length];
    System.arraycopy(http, 0, both, 0, http.length);
    System.arraycopy(tcp, 0, both, http.length, tcp.length);

    AccessLogMessage read = AccessLogMessage.read(both);
    StreamAccessLogsMessage parsed = StreamAccessLogsMessage.parseFrom(both);

    assertThat(read.tcp()).as("tcp case").isTrue();
    assertThat(read.entries())
        .as("entries, as protobuf reads them")
        .isEqualTo(parsed.getTcpLogs().getLogEntryCount())
        .isEqualTo(2);
  }

  @Test
  void upstreamAddressesRepeatedOnTheWire_mergeAsProtobufMergesThem() throws Exception {
    Address internalWithId = internal("10.44.3.17:9080");
    Address internalNamedOnly =
        Address.newBuilder()
            .setEnvoyInternalAddress(
                EnvoyInternalAddress.newBuilder().setServerListenerName("connect_originate"))
            .build();
    Address socketWithoutPort =
        Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress("10.1.1.1"))
            .build();
    Address pipe = Address.newBuilder().setPipe(Pipe.newBuilder().setPath("/tmp/s")).build();
    List<Address[]> sequences =
        List.of(
            new Address[] {internalWithId, socketWithoutPort},
            new Address[] {socket("10.1.1.1", 80), internalNamedOnly},
            new Address[] {internalWithId, internalNamedOnly},
            new Address[] {internalWithId, internal("not-an-endpoint")},
            new Address[] {internal("not-an-endpoint"), internal("10.44.3.18:9080")},
            new Address[] {internalWithId, pipe},
            new Address[] {pipe, internalWithId},
            new Address[] {socket("10.1.1.1", 80), socketWithoutPort});
    NodeIdentity node = nodes.get(0);
    ReferenceAccessRecordMapper reference =
        new ReferenceAccessRecordMapper(MappingOptions.defaults());
    AccessRecordMapper mapper = new AccessRecordMapper(MappingOptions.defaults());
    for (Address[] sequence : sequences) {
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      wire.write(
          HTTPAccessLogEntry.newBuilder()
              .setCommonProperties(
                  AccessLogCommon.newBuilder()
                      .setUpstreamCluster(
                          "inbound-vip|9080|http|reviews.default.svc.cluster.local"))
              .build()
              .toByteArray());
      for (Address address : sequence) {
        wire.write(
            HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(AccessLogCommon.newBuilder().setUpstreamRemoteAddress(address))
                .build()
                .toByteArray());
      }
      byte[] bytes = wire.toByteArray();
      AccessRecord expected = reference.mapHttp(node, HTTPAccessLogEntry.parseFrom(bytes));

      AccessRecord actual = mapper.newDecoder().mapHttp(node, bytes, 0, bytes.length).toRecord();

      assertThat(actual.getEndpoint())
          .as("endpoint of %s", Arrays.toString(sequence))
          .isEqualTo(expected.getEndpoint());
    }
  }

  private static HTTPAccessLogEntry httpEntry(SplittableRandom random) {
    HTTPAccessLogEntry.Builder entry = HTTPAccessLogEntry.newBuilder();
    if (random.nextInt(20) != 0) {
      AccessLogCommon.Builder common = common(random);
      if (random.nextInt(3) == 0) {
        // A request's end (DownstreamEnd), entries Envoy writes besides it, TCP and unknown types.
        common.setAccessLogTypeValue(pick(random, 6, 6, 6, 4, 5, 7, 8, 9, 10, 3, 99));
      }
      entry.setCommonProperties(common);
    }
    HTTPRequestProperties.Builder request = HTTPRequestProperties.newBuilder();
    if (random.nextInt(10) != 0) {
      request.setRequestMethodValue(random.nextInt(12));
    }
    request
        .setAuthority(pick(random, "reviews:9080", "", "ümlaut.example:80"))
        .setPath(pick(random, "/reviews/0", "", "/p?q=ö"))
        .setUserAgent("curl/8")
        .setRequestId(pick(random, "6f1b3c2e-0000-4000-8000-000000000001", ""))
        .setRequestHeadersBytes(random.nextInt(500))
        .setRequestBodyBytes(random.nextInt(3) == 0 ? Long.MAX_VALUE / 4 : random.nextInt(900));
    switch (random.nextInt(6)) {
      case 0 ->
          request.putRequestHeaders(
              "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      case 1 -> request.putRequestHeaders("traceparent", "00-short-00f067aa0ba902b7-01");
      case 2 ->
          request
              .putRequestHeaders("traceparent", "bad")
              .putRequestHeaders("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7");
      case 3 ->
          request.putRequestHeaders(
              "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e47ü-00f067aa0ba902b7-01");
      case 4 -> request.putRequestHeaders("x-b3-traceid", "ü-b3");
      default -> {}
    }
    if (random.nextInt(4) == 0) {
      request.putRequestHeaders(
          "content-type",
          pick(
              random,
              "application/grpc",
              "application/grpc+proto",
              "application/grpc-web",
              "application/grpc;charset=utf-8",
              "application/grp",
              "text/html"));
    }
    if (random.nextInt(4) == 0) {
      request.putRequestHeaders(pick(random, "X-Tenant", "x-tenant", "other"), "acme");
    }
    entry.setRequest(request);
    HTTPResponseProperties.Builder response = HTTPResponseProperties.newBuilder();
    if (random.nextInt(8) != 0) {
      response.setResponseCode(UInt32Value.of(pick(random, 200, 400, 404, 429, 503, 0)));
    }
    response
        .setResponseHeadersBytes(random.nextInt(200))
        .setResponseBodyBytes(random.nextInt(1 << 20));
    String[] statuses = {
      "0", "14", " 2 ", "", "x", "-3", "99999999999", "+5", "16", "17", "007", " ", "\t7\n", "+"
    };
    if (random.nextInt(3) == 0) {
      response.putResponseTrailers("grpc-status", statuses[random.nextInt(statuses.length)]);
    }
    if (random.nextInt(3) == 0) {
      response.putResponseHeaders("grpc-status", statuses[random.nextInt(statuses.length)]);
    }
    response.setResponseCodeDetails("via_upstream");
    return entry.setResponse(response).build();
  }

  /**
   * An entry of one of a few connections of the stream, whose running totals grow from entry to
   * entry (now and then they fall: two connections that meet on one key), or of a connection
   * without a start time or downstream address.
   */
  private static TCPAccessLogEntry tcpEntry(SplittableRandom random, long[][] connections) {
    AccessLogCommon.Builder common = common(random);
    common.setAccessLogTypeValue(pick(random, 0, 1, 2, 3, 4, 11, 12, 13, 99));
    int connection = random.nextInt(connections.length + 2);
    long received = random.nextInt(1 << 16);
    long sent = random.nextInt(1 << 20);
    if (connection < connections.length) {
      common
          .setStartTime(Timestamp.newBuilder().setSeconds(1_764_158_400L).setNanos(connection))
          .setDownstreamRemoteAddress(socket("10.0.0.1", 40_000 + connection));
      long[] total = connections[connection];
      if (random.nextInt(8) > 0) {
        received += total[0];
        sent += total[1];
      }
      total[0] = received;
      total[1] = sent;
    } else if (connection == connections.length) {
      common.clearStartTime();
    } else {
      common.clearDownstreamRemoteAddress();
    }
    return TCPAccessLogEntry.newBuilder()
        .setCommonProperties(common)
        .setConnectionProperties(
            ConnectionProperties.newBuilder().setReceivedBytes(received).setSentBytes(sent))
        .build();
  }

  private static AccessLogCommon.Builder common(SplittableRandom random) {
    AccessLogCommon.Builder common =
        AccessLogCommon.newBuilder()
            .setUpstreamCluster(CLUSTERS[random.nextInt(CLUSTERS.length)])
            .setRouteName("default")
            .setDownstreamRemoteAddress(socket("10.0.0.1", 1234))
            .setStartTime(
                Timestamp.newBuilder()
                    .setSeconds(1_764_158_400L + random.nextInt(100))
                    .setNanos(random.nextInt(1_000_000_000)));
    if (random.nextBoolean()) {
      common.setTimeToLastDownstreamTxByte(duration(random));
    }
    if (random.nextBoolean()) {
      common.setTimeToLastUpstreamRxByte(duration(random));
    }
    if (random.nextBoolean()) {
      common.setTimeToFirstUpstreamRxByte(duration(random));
    }
    if (random.nextBoolean()) {
      common.setDuration(duration(random));
    }
    switch (random.nextInt(8)) {
      case 0 -> {}
      case 1 -> common.setUpstreamRemoteAddress(Address.getDefaultInstance());
      case 6 ->
          common.setUpstreamRemoteAddress(
              internal(
                  pick(
                      random,
                      "10.44.3." + random.nextInt(30) + ":9080",
                      "[fd00::7]:8080",
                      "fd00::7:8080",
                      "10.44.3.1:http",
                      "10.44.3.1:70000",
                      "10.44.3.1:0000080",
                      "10.44.3.1:00080",
                      "10.44.3.1:",
                      ":80",
                      "[]:80",
                      "[:80",
                      "a]:80",
                      "[10.44.3.1:80",
                      "[a]b]:80",
                      "[fd00::[7]]:80",
                      "")));
      case 7 ->
          common.setUpstreamRemoteAddress(
              Address.newBuilder()
                  .setEnvoyInternalAddress(
                      EnvoyInternalAddress.newBuilder().setServerListenerName("encap")));
      case 2 ->
          common.setUpstreamRemoteAddress(
              Address.newBuilder().setPipe(Pipe.newBuilder().setPath("/tmp/s")));
      case 3 -> common.setUpstreamRemoteAddress(socket("2001:db8::1", 9080));
      case 4 ->
          common.setUpstreamRemoteAddress(
              Address.newBuilder()
                  .setSocketAddress(
                      SocketAddress.newBuilder().setAddress("10.1.1.1").setNamedPort("http")));
      default -> common.setUpstreamRemoteAddress(socket("10.44.5." + random.nextInt(30), 9080));
    }
    if (random.nextInt(4) != 0) {
      TLSProperties.Builder tls = TLSProperties.newBuilder().setTlsSniHostname("x");
      if (random.nextInt(4) != 0) {
        tls.setLocalCertificateProperties(certificate(random));
      }
      if (random.nextBoolean()) {
        tls.setPeerCertificateProperties(certificate(random));
      }
      common.setTlsProperties(tls);
    }
    // Either side, or both.
    if (random.nextInt(3) == 0) {
      common.putFilterStateObjects("downstream_peer", peerMetadata(random));
    }
    if (random.nextInt(3) == 0) {
      common.putFilterStateObjects("upstream_peer", peerMetadata(random));
    }
    if (random.nextInt(5) == 0) {
      common.putFilterStateObjects("wasm.downstream_peer", peerMetadata(random));
    }
    if (random.nextInt(4) == 0) {
      ResponseFlags.Builder flags = ResponseFlags.newBuilder();
      for (var field : ResponseFlags.getDescriptor().getFields()) {
        if (random.nextInt(6) != 0) {
          continue;
        }
        if (field.getJavaType()
            == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.BOOLEAN) {
          flags.setField(field, true);
        } else {
          flags.setUnauthorizedDetails(ResponseFlags.Unauthorized.getDefaultInstance());
        }
      }
      common.setResponseFlags(flags);
    }
    return common;
  }

  private static CertificateProperties certificate(SplittableRandom random) {
    CertificateProperties.Builder certificate = CertificateProperties.newBuilder();
    int sans = random.nextInt(4);
    for (int i = 0; i < sans; i++) {
      switch (random.nextInt(4)) {
        case 0 -> certificate.addSubjectAltName(SubjectAltName.newBuilder().setDns("a.example"));
        case 1 -> certificate.addSubjectAltName(SubjectAltName.newBuilder().setUri("https://x"));
        default ->
            certificate.addSubjectAltName(
                SubjectAltName.newBuilder()
                    .setUri(
                        "spiffe://cluster.local/ns/default/sa/"
                            + pick(random, "bookinfo-reviews", "bookinfo-productpage", "äpp")));
      }
    }
    return certificate.build();
  }

  private static Address internal(String endpointId) {
    return Address.newBuilder()
        .setEnvoyInternalAddress(
            EnvoyInternalAddress.newBuilder()
                .setServerListenerName("connect_originate")
                .setEndpointId(endpointId))
        .build();
  }

  private static Address socket(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  private static Duration duration(SplittableRandom random) {
    return Duration.newBuilder()
        .setSeconds(random.nextInt(3))
        .setNanos(random.nextInt(1_000_000_000))
        .build();
  }

  /**
   * Istio's peer metadata as a proxy logs it (an Any of a Struct of strings), of one of a few
   * workloads, now and then with a field that is not a string, of another type, or unreadable.
   */
  private static Any peerMetadata(SplittableRandom random) {
    int workload = random.nextInt(3);
    Struct.Builder struct = Struct.newBuilder();
    String[][] fields = {
      {"workload", "ratings-v" + workload},
      {"namespace", pick(random, "shop", "")},
      {"app", "ratings"},
      {"version", "v" + workload},
      {"cluster", "Kubernetes"},
      {"service", "ratings"},
      {"revision", pick(random, "v" + workload, "")},
      {"identity", pick(random, "", "spiffe://cluster.local/ns/shop/sa/ratings", "ratings")},
      {"name", "ratings-v" + workload + "-6b746f74dc-" + random.nextInt(1000)},
      {"type", "deployment"}
    };
    // Envoy writes a Struct's fields in no fixed order.
    for (int i = fields.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      String[] swap = fields[i];
      fields[i] = fields[j];
      fields[j] = swap;
    }
    for (String[] field : fields) {
      if (!field[1].isEmpty() && random.nextInt(8) != 0) {
        struct.putFields(field[0], Value.newBuilder().setStringValue(field[1]).build());
      }
    }
    if (random.nextInt(6) == 0) {
      struct.putFields("version", Value.newBuilder().setNumberValue(2).build());
    }
    return switch (random.nextInt(10)) {
      case 0 -> Any.pack(StringValue.of("ratings-v1"));
      case 1 ->
          Any.newBuilder()
              .setTypeUrl("type.googleapis.com/google.protobuf.Struct")
              .setValue(ByteString.copyFrom(new byte[] {(byte) 0x0a, (byte) 0x7f, 1}))
              .build();
      default -> Any.pack(struct.build());
    };
  }

  @SafeVarargs
  private static <T> T pick(SplittableRandom random, T... values) {
    return values[random.nextInt(values.length)];
  }
}
