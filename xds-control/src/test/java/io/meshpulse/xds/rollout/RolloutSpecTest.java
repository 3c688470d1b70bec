package io.meshpulse.xds.rollout;

import static io.meshpulse.xds.rollout.RolloutFixtures.TOPOLOGY;
import static io.meshpulse.xds.rollout.RolloutFixtures.spec;
import static io.meshpulse.xds.rollout.RolloutFixtures.subset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutSpecTest {

  @Test
  void invalidValues_areRefusedNamingTheirProperty() {
    assertThatThrownBy(() -> spec().stepPercent(0).build())
        .as("step 0")
        .hasMessageStartingWith("step-percent:");
    assertThatThrownBy(() -> spec().maxPercent(40).stepPercent(50).build())
        .as("step above max")
        .hasMessageStartingWith("step-percent:");
    assertThatThrownBy(() -> spec().maxPercent(101).build())
        .as("max above 100")
        .hasMessageStartingWith("max-percent:");
    assertThatThrownBy(() -> spec().interval(Duration.ZERO).build())
        .as("zero interval")
        .hasMessageStartingWith("interval:");
    assertThatThrownBy(() -> spec().stable("v2").build())
        .as("stable = canary")
        .hasMessageStartingWith("stable:");
    assertThatThrownBy(() -> spec().minScore(1.5).build())
        .as("min score")
        .hasMessageStartingWith("min-score:");
    assertThatThrownBy(() -> spec().service(" ").build())
        .as("blank service")
        .hasMessageStartingWith("service:");
  }

  @Test
  void aRolloutMustNameAServiceAndSubsetsOfTheTopology_withTheCanaryAtRouteWeightZero() {
    assertThat(spec().build().problemIn(TOPOLOGY)).as("valid").isEmpty();
    assertThat(spec().service("ratings").build().problemIn(TOPOLOGY))
        .as("unknown service")
        .hasValueSatisfying(p -> assertThat(p).startsWith("service: unknown service 'ratings'"));
    assertThat(spec().canary("v9").build().problemIn(TOPOLOGY))
        .as("unknown canary")
        .hasValueSatisfying(p -> assertThat(p).startsWith("subset: "));
    assertThat(spec().stable("v9").build().problemIn(TOPOLOGY))
        .as("unknown stable")
        .hasValueSatisfying(p -> assertThat(p).startsWith("stable: "));
    assertThat(spec().canary("v1").stable("v2").build().problemIn(TOPOLOGY))
        .as("a canary that already has route weight")
        .hasValueSatisfying(p -> assertThat(p).contains("has route weight 100"));
    Topology noStable =
        new Topology(
            List.of(
                new ServiceSpec(
                    "reviews",
                    9080,
                    ServiceProtocol.HTTP,
                    List.of(
                        subset("v1", 0, "10.0.1.1"),
                        subset("v2", 0, "10.0.2.1"),
                        subset("v3", 1, "10.0.3.1")))));
    assertThat(spec().build().problemIn(noStable))
        .as("a stable subset without route weight")
        .hasValueSatisfying(p -> assertThat(p).startsWith("stable: ").contains("route weight 0"));
  }
}
