package io.meshpulse.xds.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTableTest {
  @Test
  void ofTopology_looksUpOnlyTheTopologysEndpoints_andKeepsTheFleetsNewestRecordTime() {
    var topology = Fixtures.topology(2, "v1", "v2");
    List<EndpointId> ids = Fixtures.ids(topology);
    Map<String, HealthObservation> store = new HashMap<>();
    // Three of the four endpoints have a record; one endpoint outside the topology has one too.
    for (EndpointId id : ids.subList(0, 3)) {
      store.put(id.key(), Fixtures.healthy(id, Fixtures.T0));
    }
    EndpointId elsewhere = new EndpointId("ratings", "10.9.9.9", 9080);
    store.put(elsewhere.key(), Fixtures.healthy(elsewhere, Fixtures.T0.plusSeconds(5)));
    List<EndpointId> asked = new ArrayList<>();

    HealthTable table =
        HealthTable.of(
            topology,
            id -> {
              asked.add(id);
              return store.get(id.key());
            },
            Fixtures.T0.plusSeconds(5));

    assertThat(asked)
        .as("one lookup per endpoint of the topology, none for the rest of the table")
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(table.byId().keySet()).containsExactlyInAnyOrder(ids.get(0), ids.get(1), ids.get(2));
    assertThat(table.get(ids.get(3))).isEmpty();
    assertThat(table.get(ids.get(0))).contains(store.get(ids.get(0).key()));
    assertThat(table.lastRecordAt())
        .as("the pipeline's newest record, even about an endpoint outside the topology")
        .isEqualTo(Fixtures.T0.plusSeconds(5));
  }

  @Test
  void endpointKeys_parseBackToTheirIds_andKeysOfNoEndpointParseToNothing() {
    for (EndpointId id :
        List.of(
            new EndpointId("reviews", "10.0.0.1", 9080),
            new EndpointId("reviews.default.svc", "fd00::1", 0),
            new EndpointId("a", "host-1.example", 65_535))) {
      assertThat(EndpointId.parse(id.key())).as(id.key()).isEqualTo(id);
    }
    assertThat(EndpointId.parse("reviews/[fd00::1]:9080"))
        .isEqualTo(new EndpointId("reviews", "fd00::1", 9080));
    for (String key :
        List.of(
            "reviews",
            "/10.0.0.1:80",
            "reviews/10.0.0.1",
            "reviews/10.0.0.1:",
            "reviews/:80",
            "reviews/10.0.0.1:8x",
            "reviews/10.0.0.1:65536",
            "reviews/10.0.0.1:1234567",
            "reviews/[fd00::1]",
            "reviews/[fd00::1:80",
            "reviews/[]:80")) {
      assertThat(EndpointId.parse(key)).as(key).isNull();
    }
  }

  @Test
  void ofTopology_takesAnEndpointNamedTwiceOnce() {
    EndpointSpec spec = new EndpointSpec("10.0.0.1", 9080, LocalitySpec.NONE);
    var topology = reviews(List.of(spec), List.of(spec));
    EndpointId id = EndpointId.of("reviews", spec);
    HealthObservation observation = Fixtures.healthy(id, Fixtures.T0);

    HealthTable table = HealthTable.of(topology, key -> observation, Fixtures.T0);

    assertThat(table.byId()).containsOnlyKeys(id);
  }

  @Test
  void ofKeys_rejectsAKeyThatNamesNoEndpoint() {
    var observation = Fixtures.healthy(new EndpointId("reviews", "10.0.0.1", 80), Fixtures.T0);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HealthTable.of(Map.of("reviews", observation)))
        .withMessageContaining("reviews");
  }

  @Test
  void ofTopology_keysIpv6EndpointsLikeTheHealthRecords() {
    var topology = reviews(List.of(new EndpointSpec("fd00::1", 9080, LocalitySpec.NONE)));
    EndpointId id = new EndpointId("reviews", "fd00::1", 9080);
    HealthObservation observation = Fixtures.healthy(id, Fixtures.T0);

    HealthTable table =
        HealthTable.of(
            topology, key -> key.key().equals("reviews/[fd00::1]:9080") ? observation : null, null);

    assertThat(table.get(id)).contains(observation);
    assertThat(table.lastRecordAt()).isNull();
  }

  /** Service reviews with one subset (v1, v2, ...) per list of endpoints. */
  @SafeVarargs
  private static Topology reviews(List<EndpointSpec>... subsets) {
    List<SubsetSpec> specs = new ArrayList<>();
    for (int i = 0; i < subsets.length; i++) {
      specs.add(new SubsetSpec("v" + (i + 1), Map.of(), 1, subsets[i]));
    }
    return new Topology(List.of(new ServiceSpec("reviews", 9080, ServiceProtocol.HTTP, specs)));
  }
}
