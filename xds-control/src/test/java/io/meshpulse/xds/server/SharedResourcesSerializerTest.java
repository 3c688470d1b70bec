package io.meshpulse.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import org.junit.jupiter.api.Test;

class SharedResourcesSerializerTest {
  @Test
  void aResourceSentToManyStreams_isPackedOnce_andUnpacksToItself() throws Exception {
    SharedResourcesSerializer serializer = new SharedResourcesSerializer();
    ClusterLoadAssignment cla =
        ClusterLoadAssignment.newBuilder().setClusterName("outbound|9080|v1|reviews").build();

    Any first = serializer.serialize(cla, ApiVersion.V3);
    Any second = serializer.serialize(cla, ApiVersion.V3);

    assertThat(second).as("the same instance for the same resource").isSameAs(first);
    assertThat(first.unpack(ClusterLoadAssignment.class)).as("round trip").isEqualTo(cla);
  }

  @Test
  void anEqualButDistinctResource_isPackedOnItsOwn() {
    SharedResourcesSerializer serializer = new SharedResourcesSerializer();
    ClusterLoadAssignment a = ClusterLoadAssignment.newBuilder().setClusterName("a").build();
    ClusterLoadAssignment b = ClusterLoadAssignment.newBuilder().setClusterName("a").build();

    assertThat(serializer.serialize(b, ApiVersion.V3))
        .as("keys compare by identity, so a new snapshot's resources are packed afresh")
        .isNotSameAs(serializer.serialize(a, ApiVersion.V3));
  }
}
