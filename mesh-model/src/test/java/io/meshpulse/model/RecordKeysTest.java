package io.meshpulse.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.ServiceHealth;
import org.junit.jupiter.api.Test;

class RecordKeysTest {
  @Test
  void endpointKey_joinsClusterAndHostPort() {
    assertThat(RecordKeys.of(SampleRecords.accessRecord()))
        .as("access record key")
        .isEqualTo("reviews.default.svc.cluster.local/10.44.2.55:9080")
        .isEqualTo(RecordKeys.of(SampleRecords.endpointHealth()));
  }

  @Test
  void endpointKey_bracketsIpv6() {
    Endpoint v6 = Endpoint.newBuilder().setAddress("fd00::1").setPort(80).build();
    assertThat(RecordKeys.endpointKey("c", v6)).as("IPv6 key").isEqualTo("c/[fd00::1]:80");
  }

  @Test
  void endpointKey_withoutHost_isTheCluster() {
    assertThat(RecordKeys.endpointKey("c", Endpoint.getDefaultInstance()))
        .as("key of a request no host served")
        .isEqualTo("c");
  }

  @Test
  void serviceKey_addsSubsetOnlyWhenPresent() {
    assertThat(RecordKeys.of(ServiceHealth.newBuilder().setCluster("c").build()))
        .as("whole-cluster key")
        .isEqualTo("c");
    assertThat(RecordKeys.of(ServiceHealth.newBuilder().setCluster("c").setSubset("v1").build()))
        .as("subset key")
        .isEqualTo("c/v1");
  }
}
