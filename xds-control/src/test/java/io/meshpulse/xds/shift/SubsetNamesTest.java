package io.meshpulse.xds.shift;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubsetNamesTest {
  private static SubsetSpec subset(String name, String version, int port) {
    return new SubsetSpec(
        name,
        Map.of("version", version),
        1,
        List.of(new EndpointSpec("10.0.0." + port, port, LocalitySpec.NONE)));
  }

  private static final Topology TOPOLOGY =
      new Topology(
          List.of(
              new ServiceSpec(
                  "reviews",
                  9080,
                  ServiceProtocol.HTTP,
                  List.of(
                      subset("stable", "v1", 1),
                      subset("canary", "v2", 2),
                      subset("v3", "v3", 3),
                      subset("blue", "v4", 4),
                      subset("green", "v4", 5)))));

  private static RouteShift shift(String from, String to) {
    return new RouteShift("fp", "reviews", from, to, 0, "alert");
  }

  @Test
  void anAlertNamingThePodsVersion_shiftsTheSubsetThatSelectsIt() {
    RouteShift resolved = SubsetNames.resolve(TOPOLOGY, shift("v2", "stable"));
    assertThat(resolved.from()).as("from").isEqualTo("canary");
    assertThat(resolved.to()).as("to").isEqualTo("stable");
    assertThat(resolved.ref()).as("ref kept").isEqualTo("fp");
    assertThat(SubsetNames.resolve(TOPOLOGY, shift("v2", "v1")).to())
        .as("a shift-to given as a version")
        .isEqualTo("stable");
  }

  @Test
  void aSubsetName_winsOverLabels_andAnAmbiguousOrUnknownValueStaysAsItIs() {
    assertThat(SubsetNames.resolve(TOPOLOGY, shift("v3", "stable")).from())
        .as("a subset's own name")
        .isEqualTo("v3");
    assertThat(SubsetNames.resolve(TOPOLOGY, shift("v4", "stable")).from())
        .as("two subsets select v4")
        .isEqualTo("v4");
    assertThat(SubsetNames.resolve(TOPOLOGY, shift("v9", "stable")).from())
        .as("unknown")
        .isEqualTo("v9");
    RouteShift otherService = new RouteShift("fp", "ratings", "v2", "v1", 0, "alert");
    assertThat(SubsetNames.resolve(TOPOLOGY, otherService))
        .as("unknown service")
        .isEqualTo(otherService);
  }
}
