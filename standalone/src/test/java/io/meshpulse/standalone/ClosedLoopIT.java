package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole loop in this JVM: embedded Kafka, the collector, the Flink job in a MiniCluster,
 * xds-control and the simulated fleet speaking ALS, MetricsService and ADS over real sockets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClosedLoopIT {
  private static Path dataDir;
  private static Platform platform;
  private static HealthWatcher watcher;
  private static Demo demo;

  @BeforeAll
  static void startPlatform() throws Exception {
    dataDir = Files.createTempDirectory("meshpulse-it-");
    Scenario scenario = ScenarioLoader.builtIn("hard-failure");
    Path topology = dataDir.resolve("topology.yaml");
    TopologyExport.write(scenario, topology);
    platform =
        Platform.start(PlatformOptions.builder(dataDir).randomPorts().topology(topology).build());
    System.out.printf("platform ready in %d ms%n", platform.startupTime().toMillis());
    watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC());
    demo = new Demo(LaunchOptions.parse(List.of("demo", "--no-ui")), new PrintStream(System.out));
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    if (platform != null) {
      platform.close();
    }
    Demo.deleteQuietly(dataDir);
  }

  @Test
  @Order(0)
  void platform_isReadyForTrafficWithinThirtySeconds() {
    assertThat(platform.startupTime()).as("platform start-up").isLessThan(Duration.ofSeconds(30));
  }

  @Test
  @Order(1)
  void nullScenario_losesNothing_andTakesNoAction() throws Exception {
    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                .duration(Duration.ofSeconds(20)));
    System.out.print(report.summary());

    assertThat(report.recordsSent()).as("records sent").isGreaterThan(10_000);
    assertThat(report.recordsLost()).as("records lost").isZero();
    assertThat(report.recordsInKafka()).as("records in Kafka").isEqualTo(report.recordsSent());
    assertThat(report.falseActions())
        .as("actions on healthy endpoints; decisions: %s", report.decisionLog())
        .isZero();
  }

  @Test
  @Order(2)
  void hardFailure_isRoutedAroundWithinSeconds() throws Exception {
    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("hard-failure"))
                .duration(Duration.ofSeconds(32))
                .faultAt(Duration.ofSeconds(16)));
    System.out.print(report.summary());

    assertThat(report.recordsLost()).as("records lost").isZero();
    assertThat(report.faultOnsetEpochMs()).as("fault onset").isNotNull();
    assertThat(report.reactionSeconds())
        .as("fault onset -> every proxy applied the ejection or weight change (s)")
        .isNotNull()
        .isLessThanOrEqualTo(5.0);
    assertThat(report.faultyTrafficShareBefore()).as("faulty share before").isGreaterThan(0.0);
    assertThat(report.faultyTrafficShareAfter())
        .as("faulty share after the reaction vs before (%s)", report.faultyTrafficShareBefore())
        .isLessThanOrEqualTo(report.faultyTrafficShareBefore() * 0.1);
    assertThat(report.falseActions())
        .as("actions on healthy endpoints; decisions: %s", report.decisionLog())
        .isZero();
  }

  @Test
  @Order(3)
  void aCanaryFailingAsAWhole_losesItsRouteWeightWithinSeconds() throws Exception {
    // The hard failure's endpoint comes back after its ejection: let it finish ramping, and any
    // route weight moved away come back, first, so that neither is counted as an action of this
    // run.
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!allNeutral()) {
      assertThat(System.nanoTime())
          .as("every endpoint and route back at its neutral weight")
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("bad-canary"))
                .duration(Duration.ofSeconds(24))
                .faultAt(Duration.ofSeconds(10)));
    System.out.print(report.summary());

    assertThat(report.recordsLost()).as("records lost").isZero();
    assertThat(report.reactionSeconds())
        .as("fault onset -> every proxy routed away from the canary subset (s)")
        .isNotNull()
        .isLessThanOrEqualTo(5.0);
    assertThat(report.faultyTrafficShareAfter())
        .as("canary share after the reaction vs before (%s)", report.faultyTrafficShareBefore())
        .isLessThanOrEqualTo(report.faultyTrafficShareBefore() * 0.1);
    assertThat(report.falseActions())
        .as("actions on healthy endpoints; decisions: %s", report.decisionLog())
        .isZero();
  }

  private static boolean allNeutral() {
    var view = platform.xdsControl().loop().view();
    return view.ready()
        && view.state().shifts().values().stream().allMatch(remaining -> remaining >= 100)
        && view.intended().services().values().stream()
            .flatMap(r -> r.endpoints().stream())
            .allMatch(
                e ->
                    e.status() == io.meshpulse.xds.policy.EndpointStatus.ACTIVE
                        && e.weight()
                            == platform.xdsControl().loop().policy().config().neutralWeight());
  }
}
