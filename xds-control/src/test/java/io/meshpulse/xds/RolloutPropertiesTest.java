package io.meshpulse.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.rollout.RolloutSpec;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RolloutPropertiesTest {
  private static final Topology TOPOLOGY =
      new Topology(
          List.of(
              new ServiceSpec(
                  "reviews",
                  9080,
                  ServiceProtocol.HTTP,
                  List.of(subset("v1", 1), subset("v2", 0)))));

  private static SubsetSpec subset(String name, int weight) {
    return new SubsetSpec(
        name,
        Map.of("version", name),
        weight,
        List.of(new EndpointSpec("10.0.0." + name.charAt(1), 9080, LocalitySpec.NONE)));
  }

  private static List<RolloutSpec> bind(Map<String, String> extra) {
    Map<String, String> map = new HashMap<>(extra);
    map.put("meshpulse.xds.topology-file", "topology.yml");
    XdsControlProperties props =
        new Binder(new MapConfigurationPropertySource(map))
            .bind("meshpulse.xds", XdsControlProperties.class)
            .get();
    return RolloutProperties.toSpecs(props.rollouts(), TOPOLOGY, RoutingConfig.EMPTY);
  }

  @Test
  void rollouts_bindFromKebabCase_withTheDocumentedDefaults() {
    assertThat(bind(Map.of())).as("none declared").isEmpty();
    List<RolloutSpec> specs =
        bind(
            Map.of(
                "meshpulse.xds.rollouts[0].service", "reviews",
                "meshpulse.xds.rollouts[0].subset", "v2",
                "meshpulse.xds.rollouts[0].stable", "v1",
                "meshpulse.xds.rollouts[0].interval", "2s",
                "meshpulse.xds.rollouts[0].max-percent", "50"));
    assertThat(specs)
        .as("bound")
        .containsExactly(
            RolloutSpec.builder()
                .service("reviews")
                .canary("v2")
                .stable("v1")
                .interval(Duration.ofSeconds(2))
                .maxPercent(50)
                .build());
    assertThat(specs.get(0).stepPercent()).as("default step").isEqualTo(10);
    assertThat(specs.get(0).minHealthyPercent()).as("default healthy %").isEqualTo(80);
  }

  @Test
  void anInvalidRollout_failsNamingTheProperty() {
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "meshpulse.xds.rollouts[0].service", "reviews",
                        "meshpulse.xds.rollouts[0].subset", "v2",
                        "meshpulse.xds.rollouts[0].stable", "v1",
                        "meshpulse.xds.rollouts[0].step-percent", "0")))
        .as("step 0")
        .hasMessageStartingWith("meshpulse.xds.rollouts[0].step-percent:");
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "meshpulse.xds.rollouts[0].service", "reviews",
                        "meshpulse.xds.rollouts[0].subset", "v3",
                        "meshpulse.xds.rollouts[0].stable", "v1")))
        .as("a subset the topology lacks")
        .hasMessageStartingWith(
            "meshpulse.xds.rollouts[0].subset: service 'reviews' has no subset");
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "meshpulse.xds.rollouts[0].service", "reviews",
                        "meshpulse.xds.rollouts[0].subset", "v2",
                        "meshpulse.xds.rollouts[0].stable", "v1",
                        "meshpulse.xds.rollouts[0].route", "reviews/default")))
        .as("a route the routing files lack")
        .hasMessageStartingWith(
            "meshpulse.xds.rollouts[0].route: the routing configuration has no route");
    assertThatThrownBy(() -> bind(Map.of("meshpulse.xds.rollouts[0].subset", "v2")))
        .as("no service")
        .hasMessageStartingWith("meshpulse.xds.rollouts[0].service:");
  }
}
