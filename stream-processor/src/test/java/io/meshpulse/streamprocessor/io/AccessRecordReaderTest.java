package io.meshpulse.streamprocessor.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.meshpulse.model.SampleRecords;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Locality;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.streamprocessor.score.EndpointId;
import io.meshpulse.streamprocessor.score.ErrorClass;
import io.meshpulse.streamprocessor.score.ProxyHash;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccessRecordReaderTest {
  private final AccessRecordReader reader = new AccessRecordReader();

  /** What the job took from a fully parsed record before it read the wire bytes itself. */
  private static void assertSameAsParsed(Sample sample, AccessRecord record) {
    Endpoint endpoint = record.getEndpoint();
    Locality locality = endpoint.getLocality();
    EndpointId expectedId =
        new EndpointId(
            record.getCluster(),
            record.getSubset(),
            Endpoint.newBuilder()
                .setAddress(endpoint.getAddress())
                .setPort(endpoint.getPort())
                .setLocality(
                    Locality.newBuilder()
                        .setRegion(locality.getRegion())
                        .setZone(locality.getZone())
                        .setSubZone(locality.getSubZone()))
                .build());
    assertThat(sample.key)
        .as("window key")
        .isEqualTo(
            EndpointKey.of(
                record.getCluster(),
                record.getSubset(),
                endpoint.getAddress(),
                endpoint.getPort()));
    assertThat(sample.endpointId()).as("endpoint identity").isEqualTo(expectedId);
    assertThat(sample.hasEndpoint()).as("has endpoint").isEqualTo(!endpoint.getAddress().isEmpty());
    assertThat(sample.timestampMillis)
        .as("event time: the request's completion")
        .isEqualTo(
            Math.floorDiv(
                record.getStartTimeUnixMicros() + Math.max(0, record.getDurationMicros()), 1000L));
    assertThat(sample.latencyMillis).as("latency").isEqualTo(record.getDurationMicros() / 1000.0);
    assertThat(sample.outcome).as("outcome").isEqualTo(ErrorClass.of(record));
    assertThat(sample.proxyHash).as("proxy hash").isEqualTo(ProxyHash.of(record.getNodeId()));
  }

  @Test
  void aFullRecord_readsAsTheParsedRecordDoes() throws Exception {
    AccessRecord record = SampleRecords.accessRecord();
    assertSameAsParsed(reader.read(record.toByteArray()), record);
  }

  @Test
  void nonAsciiStrings_negativeTimesAndGrpcStatuses_readAsTheParsedRecordDoes() throws Exception {
    AccessRecord record =
        SampleRecords.accessRecord().toBuilder()
            .setNodeId("sidecar~10.0.0.1~zürich-ö.default~default.svc.cluster.local")
            .setCluster("räviews.default.svc.cluster.local")
            .setEndpoint(
                Endpoint.newBuilder()
                    .setAddress("2001:db8::1")
                    .setPort(-5)
                    .setLocality(Locality.newBuilder().setRegion("eu-west").setSubZone("日本")))
            .setProtocol(Protocol.PROTOCOL_GRPC)
            .setGrpcStatus(0)
            .setResponseFlagsText("-")
            .setResponseFlags(0)
            .setStartTimeUnixMicros(-1_500)
            .putRequestHeaders("x-tenant", "ä")
            .build();
    assertSameAsParsed(reader.read(record.toByteArray()), record);
    assertThat(reader.read(record.toByteArray()).outcome)
        .as("a gRPC OK on a gRPC request")
        .isEqualTo(ErrorClass.NONE);
  }

  @Test
  void aRepeatedEndpoint_mergesIntoTheFirst_asProtobufDoes() throws Exception {
    AccessRecord first = SampleRecords.accessRecord();
    AccessRecord second =
        AccessRecord.newBuilder()
            .setEndpoint(
                Endpoint.newBuilder()
                    .setPort(9443)
                    .setLocality(Locality.newBuilder().setZone("zone-b")))
            .setNodeId("other-proxy")
            .build();
    byte[] both = first.toByteString().concat(second.toByteString()).toByteArray();
    AccessRecord parsed = AccessRecord.parseFrom(both);

    assertThat(parsed.getEndpoint().getAddress())
        .as("protobuf keeps the first address")
        .isEqualTo(first.getEndpoint().getAddress());
    assertSameAsParsed(reader.read(both), parsed);
  }

  @Test
  void invalidUtf8_inAFieldTheJobDoesNotUse_isRejectedAsProtobufRejectsIt() {
    // destination (field 4) { principal (field 5): C3 28, not UTF-8 }, merged into the record's.
    byte[] badPeer = {0x22, 4, 0x2A, 2, (byte) 0xC3, 0x28};
    byte[] bytes =
        SampleRecords.accessRecord()
            .toByteString()
            .concat(ByteString.copyFrom(badPeer))
            .toByteArray();

    assertThatThrownBy(() -> AccessRecord.parseFrom(bytes))
        .as("protobuf")
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> reader.read(bytes))
        .as("the reader")
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void corruptedBytes_areAcceptedOrRejectedExactlyAsProtobufDoes_andReadTheSame() {
    byte[] original = SampleRecords.accessRecord().toByteArray();
    SplittableRandom random = new SplittableRandom(42);
    int rejected = 0;
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = original.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      if (random.nextInt(4) == 0) {
        bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      }
      AccessRecord parsed;
      try {
        parsed = AccessRecord.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        rejected++;
        byte[] rejectedBytes = bytes;
        assertThatThrownBy(() -> reader.read(rejectedBytes))
            .as("case %d: bytes protobuf rejects (%s)", i, e.getMessage())
            .isInstanceOf(InvalidProtocolBufferException.class);
        continue;
      }
      try {
        assertSameAsParsed(reader.read(bytes), parsed);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("case " + i + ": protobuf accepts what the reader rejects", e);
      }
    }
    assertThat(rejected).as("some of the corrupted records are invalid").isBetween(100, 4_900);
  }

  @Test
  void isAscii_findsAHighByteAtAnyPositionOfAnyRange() {
    for (int length = 0; length <= 24; length++) {
      for (int offset = 0; offset <= 3; offset++) {
        byte[] bytes = new byte[offset + length + 3];
        java.util.Arrays.fill(bytes, (byte) 'a');
        assertThat(AccessRecordReader.Utf8.isAscii(bytes, offset, length))
            .as("all ASCII, offset %d length %d", offset, length)
            .isTrue();
        bytes[offset + length] = (byte) 0xC3;
        if (offset > 0) {
          bytes[offset - 1] = (byte) 0xC3;
        }
        assertThat(AccessRecordReader.Utf8.isAscii(bytes, offset, length))
            .as("high bytes just outside, offset %d length %d", offset, length)
            .isTrue();
        for (int at = 0; at < length; at++) {
          byte[] marked = bytes.clone();
          marked[offset + at] = (byte) 0x80;
          assertThat(AccessRecordReader.Utf8.isAscii(marked, offset, length))
              .as("high byte at %d, offset %d length %d", at, offset, length)
              .isFalse();
        }
      }
    }
  }

  @Test
  void endpointKeys_ofAHundredThousandEndpoints_areDistinct() {
    java.util.Set<Long> keys = new java.util.HashSet<>();
    int count = 0;
    for (int cluster = 0; cluster < 50; cluster++) {
      for (String subset : new String[] {"", "v1"}) {
        for (int host = 0; host < 500; host++) {
          for (int port : new int[] {8080, 9080}) {
            keys.add(
                EndpointKey.of(
                    "outbound|9080||svc-" + cluster + ".default.svc.cluster.local",
                    subset,
                    "10.0." + host / 256 + "." + host % 256,
                    port));
            count++;
          }
        }
      }
    }
    assertThat(keys).as("distinct keys").hasSize(count);
    byte[] cluster = "c".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int port : new int[] {0, 7, 9, 10, 99, 100, 8080, 65535, Integer.MAX_VALUE, -1}) {
      long fromBytes =
          EndpointKey.over(cluster)
              .bytes(0, 1)
              .separator('|')
              .separator('|')
              .separator(':')
              .port(port)
              .finish();
      assertThat(fromBytes).as("port %d", port).isEqualTo(EndpointKey.of("c", "", "", port));
    }
  }
}
