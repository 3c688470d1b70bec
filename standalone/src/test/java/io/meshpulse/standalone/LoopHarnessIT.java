package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs one after the other on one platform, each mesh under its own service names. */
class LoopHarnessIT {

  @Test
  void aFaultsEjection_doesNotCarryOverIntoTheNextRunsServices() throws Exception {
    Path dataDir = Files.createTempDirectory("meshpulse-loop-it-");
    Scenario first = ScenarioLoader.builtIn("hard-failure").withServiceSuffix("-a");
    Scenario second = ScenarioLoader.builtIn("null").withServiceSuffix("-b");
    try (LoopHarness harness = LoopHarness.start(dataDir, first)) {
      LoopHarness.Run fault =
          harness.run(
              first,
              SimulationOptions.builder(first)
                  .duration(Duration.ofSeconds(20))
                  .faultAt(Duration.ofSeconds(10)));
      assertThat(fault.simulation().faultService()).as("fault service").isEqualTo("reviews-a");
      assertThat(fault.simulation().allProxiesReactionSeconds())
          .as("every proxy routed around reviews-a's refusing endpoint (s after onset)")
          .isNotNull();
      assertThat(fault.decisionLog()).as("decisions of the first run").isNotEmpty();

      LoopHarness.Run quiet =
          harness.run(second, SimulationOptions.builder(second).duration(Duration.ofSeconds(12)));
      assertThat(quiet.simulation().requests()).as("requests of the second run").isPositive();
      assertThat(quiet.simulation().falseActions())
          .as("changes to reviews-b, whose endpoints have the same addresses as reviews-a's")
          .isZero();
      assertThat(quiet.recordsLost()).as("records lost").isZero();
    } finally {
      Demo.deleteQuietly(dataDir);
    }
  }
}
