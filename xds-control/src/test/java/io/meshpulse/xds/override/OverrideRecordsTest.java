package io.meshpulse.xds.override;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.RoutingOverride;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OverrideRecordsTest {
  static final EndpointId REVIEWS = new EndpointId("reviews", "10.0.0.7", 9080);
  static final Instant SET_AT = Instant.parse("2026-11-27T10:15:30.123Z");

  @Test
  void anEjection_isWrittenWithoutAWeight_andReadBackAsTheSameOverride() throws Exception {
    EndpointOverride eject = EndpointOverride.eject("o-1", REVIEWS, "draining the node");

    RoutingOverride record =
        RoutingOverride.parseFrom(OverrideRecords.toRecord(eject, SET_AT).toByteArray());

    assertThat(record.getEject()).as("eject").isTrue();
    assertThat(record.hasWeight()).as("has a weight").isFalse();
    assertThat(record.getCluster()).as("cluster").isEqualTo("reviews");
    assertThat(record.getEndpoint().getAddress()).as("address").isEqualTo("10.0.0.7");
    assertThat(record.getEndpoint().getPort()).as("port").isEqualTo(9080);
    assertThat(record.getReason()).as("reason").isEqualTo("draining the node");
    assertThat(record.getSetUnixMillis()).as("set at").isEqualTo(SET_AT.toEpochMilli());
    assertThat(OverrideRecords.fromRecord(record)).as("read back").contains(eject);
  }

  @Test
  void aPinnedWeight_isWrittenWithoutEject_andReadBackAsTheSameOverride() {
    EndpointOverride pin = EndpointOverride.pin("o-2", REVIEWS, 250, "half the traffic");

    RoutingOverride record = OverrideRecords.toRecord(pin, SET_AT);

    assertThat(record.getEject()).as("eject").isFalse();
    assertThat(record.getWeight()).as("weight").isEqualTo(250);
    assertThat(OverrideRecords.fromRecord(record)).as("read back").contains(pin);
  }

  @Test
  void theKey_isTheEndpointKeyOfTheHealthTopics_withIpv6InBrackets() {
    assertThat(OverrideRecords.key(REVIEWS)).as("IPv4 key").isEqualTo("reviews/10.0.0.7:9080");
    assertThat(OverrideRecords.key(new EndpointId("reviews", "fd00::1", 80)))
        .as("IPv6 key")
        .isEqualTo("reviews/[fd00::1]:80");
  }

  @Test
  void aRecordThatHoldsNoValidOverride_isNotReadBack() {
    RoutingOverride valid =
        OverrideRecords.toRecord(EndpointOverride.pin("o-3", REVIEWS, 10, "r"), SET_AT);

    assertThat(OverrideRecords.fromRecord(valid.toBuilder().setEject(true).build()))
        .as("both a weight and eject")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(valid.toBuilder().clearWeight().build()))
        .as("neither a weight nor eject")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(valid.toBuilder().setWeight(0).build()))
        .as("weight 0")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(valid.toBuilder().setWeight(10_001).build()))
        .as("weight above 10000")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(valid.toBuilder().setId("").build()))
        .as("no id")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(valid.toBuilder().setCluster("").build()))
        .as("no cluster")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(valid.toBuilder().clearEndpoint().build()))
        .as("no endpoint")
        .isEmpty();
    assertThat(OverrideRecords.fromRecord(RoutingOverride.getDefaultInstance()))
        .as("an empty record")
        .isEmpty();
  }
}
