package io.meshpulse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.MessageLite;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SerdesTest {

  static Stream<Arguments> schemas() {
    return Stream.of(
        Arguments.of("AccessRecord", MeshSerdes.accessRecord(), SampleRecords.accessRecord()),
        Arguments.of("ProxyStats", MeshSerdes.proxyStats(), SampleRecords.proxyStats()),
        Arguments.of("EndpointHealth", MeshSerdes.endpointHealth(), SampleRecords.endpointHealth()),
        Arguments.of("ServiceHealth", MeshSerdes.serviceHealth(), SampleRecords.serviceHealth()),
        Arguments.of(
            "RoutingDecision", MeshSerdes.routingDecision(), SampleRecords.routingDecision()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  <T extends MessageLite> void roundTrip_returnsAnEqualRecord(
      String name, Serde<T> serde, T record) {
    byte[] bytes = serde.serializer().serialize("t", record);

    T back = serde.deserializer().deserialize("t", bytes);

    assertThat(back).as("%s after a round trip", name).isEqualTo(record);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  <T extends MessageLite> void garbageBytes_throwNamingTopicAndSchema(
      String name, Serde<T> serde, T record) {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};

    assertThatThrownBy(() -> serde.deserializer().deserialize("mesh.x", garbage))
        .as("%s from garbage", name)
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("topic=mesh.x")
        .hasMessageContaining(name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  <T extends MessageLite> void emptyBytes_areAnErrorNotAnEmptyRecord(
      String name, Serde<T> serde, T record) {
    assertThatThrownBy(() -> serde.deserializer().deserialize("mesh.x", new byte[0]))
        .as("%s from zero bytes", name)
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("is empty");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  <T extends MessageLite> void randomBytes_neverDecodeSilently(
      String name, Serde<T> serde, T record) {
    Random random = new Random(42);
    int decoded = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] bytes = new byte[1 + random.nextInt(64)];
      random.nextBytes(bytes);
      try {
        T value = serde.deserializer().deserialize("t", bytes);
        assertThat(value).as("%s decoded from random bytes", name).isNotNull();
        // Random bytes may form a valid record by chance (its identity fields set, as the
        // deserializer checks): a whole record, then, that reads back as itself.
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", value)))
            .as("%s decoded from random bytes, written and read again", name)
            .isEqualTo(value);
        decoded++;
      } catch (RecordDecodeException expected) {
        // the normal outcome
      }
    }
    assertThat(decoded).as("%s: random inputs accepted out of 2000", name).isLessThan(100);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  <T extends MessageLite> void nullBytes_areATombstone(String name, Serde<T> serde, T record) {
    assertThat(serde.deserializer().deserialize("t", null)).as("%s tombstone", name).isNull();
    assertThat(serde.serializer().serialize("t", null)).as("%s null value", name).isNull();
  }
}
