package io.meshpulse.sim.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FaultTimelineTest {
  @Test
  void endpointFault_isActiveFromItsOnsetOnItsEndpointOnly() {
    FaultTimeline t = new FaultTimeline(ScenarioLoader.builtIn("hard-failure"));
    assertThat(t.activeAt("127.0.0.1:9103", 29_999)).as("before onset").isEmpty();
    assertThat(t.activeAt("127.0.0.1:9103", 30_000)).as("at onset").hasSize(1);
    assertThat(t.activeAt("127.0.0.1:9104", 40_000)).as("other endpoint").isEmpty();
    assertThat(t.faultedBy("127.0.0.1:9103", 45_000)).as("faulted after onset").isTrue();
    assertThat(t.faultedBy("127.0.0.1:9103", 10_000)).as("not before").isFalse();
  }

  @Test
  void subsetFault_coversEveryEndpointOfTheSubset() {
    FaultTimeline t = new FaultTimeline(ScenarioLoader.builtIn("bad-canary"));
    assertThat(t.faultyEndpoints())
        .as("v3 endpoints")
        .containsExactlyInAnyOrder("127.0.0.1:9109", "127.0.0.1:9110");
  }

  @Test
  void overload_rampsToFullStrengthAndBoundedFaultsEnd() {
    Scenario s =
        ScenarioLoader.builtIn("overload")
            .withOverrides(Optional.empty(), Optional.of(Duration.ofSeconds(10)));
    FaultTimeline t = new FaultTimeline(s);
    assertThat(t.activeAt("127.0.0.1:9103", 15_000).get(0).intensity())
        .as("half way")
        .isCloseTo(0.5, org.assertj.core.api.Assertions.within(0.01));
    assertThat(t.activeAt("127.0.0.1:9103", 40_000).get(0).intensity()).as("full").isEqualTo(1.0);
    Scenario bounded =
        io.meshpulse.sim.scenario.ScenarioLoader.parse(ScenarioLoaderTestYaml.BOUNDED, "b.yaml");
    FaultTimeline b = new FaultTimeline(bounded);
    assertThat(b.activeAt("127.0.0.1:9101", 5_000)).as("during").hasSize(1);
    assertThat(b.activeAt("127.0.0.1:9101", 7_000)).as("after its end").isEmpty();
  }

  static final class ScenarioLoaderTestYaml {
    static final String BOUNDED =
        """
        name: bounded
        duration: 10s
        services:
          - {name: s, port: 80, subsets: [{name: v1, replicas: 2, firstPort: 9101}]}
        proxies:
          - {workload: c, rps: 1, calls: [s]}
        faults:
          - {kind: gray-failure, service: s, endpoint: '127.0.0.1:9101', at: 4s, duration: 2s}
        """;
  }
}
