package io.meshpulse.bench.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FleetTest {
  @Test
  void everyEndpointAddress_mapsBackToItsIndex_soScoresCanBeMatchedToRecords() {
    for (int i : new int[] {0, 1, 255, 256, 9_999, 65_536}) {
      assertThat(Fleet.indexOf(Fleet.address(i))).as("index of %s", Fleet.address(i)).isEqualTo(i);
    }
    assertThat(Fleet.indexOf("127.0.0.1")).as("an address of no fleet").isEqualTo(-1);
  }

  @Test
  void records_areValidAccessRecords_ofTheirEndpointAtTheGivenTime() throws Exception {
    Fleet fleet = new Fleet(300);
    AccessRecord r = AccessRecord.parseFrom(fleet.record(250, 1_700_000_000_123L));
    assertThat(r.getCluster()).as("cluster").isEqualTo(Fleet.cluster(250));
    assertThat(r.getSubset()).as("second half of a cluster is v2").isEqualTo("v2");
    assertThat(r.getEndpoint().getAddress()).as("address").isEqualTo(Fleet.address(250));
    assertThat((r.getStartTimeUnixMicros() + r.getDurationMicros()) / 1000)
        .as("completion (start + duration), ms")
        .isEqualTo(1_700_000_000_123L);
    assertThat(r.getDurationMicros()).as("duration").isPositive();
    assertThat(new String(fleet.key(250), StandardCharsets.UTF_8))
        .as("record key")
        .isEqualTo(RecordKeys.of(r));
    assertThat(fleet.record(250, 0).length).as("record size, bytes").isBetween(250, 450);
  }
}
