package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.sim.outlier.OutlierDetectionConfig;
import io.meshpulse.sim.scenario.ScenarioLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The simulated fleet running Envoy's outlier detection instead of xDS, on virtual time. */
class OutlierBaselineTest {

  /** Envoy's defaults with success-rate ejection not enforced: the consecutive detectors only. */
  static final OutlierDetectionConfig CONSECUTIVE_ONLY =
      OutlierDetectionConfig.envoyDefaults().withEnforcingSuccessRate(0);

  static SimulationReport run(String scenario, long seed) throws InterruptedException {
    return run(scenario, seed, OutlierDetectionConfig.envoyDefaults());
  }

  static SimulationReport run(String scenario, long seed, OutlierDetectionConfig config)
      throws InterruptedException {
    return Simulation.start(
            SimulationOptions.builder(ScenarioLoader.builtIn(scenario))
                .duration(Duration.ofSeconds(30))
                .faultAt(Duration.ofSeconds(10))
                .seed(seed)
                .outlierDetection(config)
                .virtualTime()
                .build())
        .awaitCompletion();
  }

  @Test
  void hardFailure_isEjectedByEveryProxyWithinASecond_onTheProxiesOwnConsecutive5xx()
      throws Exception {
    long wallStart = System.nanoTime();
    SimulationReport r = run("hard-failure", 7, CONSECUTIVE_ONLY);
    double wallSeconds = (System.nanoTime() - wallStart) / 1e9;

    assertThat(r.durationSeconds()).as("simulated seconds").isEqualTo(30.0);
    assertThat(wallSeconds)
        .as("wall seconds of a 30 s run on virtual time, which waits for no clock")
        .isLessThan(30.0);
    assertThat(r.requests()).as("requests").isBetween(80_000L, 100_000L);
    assertThat(r.proxiesReacted()).as("proxies that ejected 9103").isEqualTo(6);
    assertThat(r.allProxiesReactionSeconds())
        .as("onset -> the last proxy's ejection (s)")
        .isNotNull()
        .isLessThan(1.0);
    assertThat(r.endpointChanges())
        .as("ejections recorded per proxy, each its own version")
        .filteredOn(c -> c.endpoint().equals("127.0.0.1:9103") && c.reducesTraffic())
        .extracting(EndpointChange::version)
        .doesNotHaveDuplicates()
        .hasSizeGreaterThanOrEqualTo(6);
    assertThat(r.faultyTrafficShareAfter()).as("faulty share after").isLessThan(0.01);
  }

  @Test
  void grayFailureSpreadOverLowVolumeProxies_staysBelowEveryDetectorsVolume() throws Exception {
    SimulationReport r = run("gray-failure-low-volume", 7);

    assertThat(r.proxiesCallingFaultService()).as("proxies calling reviews").isEqualTo(100);
    assertThat(r.allProxiesReactionSeconds()).as("every proxy reacted").isNull();
    assertThat(r.proxiesReacted()).as("proxies that ejected 9103").isLessThan(10);
  }

  @Test
  void latencyRegression_isInvisibleToTheConsecutiveDetectors() throws Exception {
    SimulationReport r = run("latency-regression", 7, CONSECUTIVE_ONLY);

    assertThat(r.endpointChanges()).as("ejections").isEmpty();
  }

  @Test
  void hardFailure_withEnvoyDefaults_ejectionsCarryTheirCause() throws Exception {
    SimulationReport r = run("hard-failure", 7);

    assertThat(r.endpointChanges())
        .as("ejections of the refusing endpoint")
        .filteredOn(c -> c.endpoint().equals("127.0.0.1:9103") && c.reducesTraffic())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.version()).endsWith("/consecutive_5xx"));
    assertThat(r.endpointChanges())
        .as("ejections of healthy endpoints: success-rate noise only")
        .filteredOn(c -> !c.endpoint().equals("127.0.0.1:9103") && c.reducesTraffic())
        .allSatisfy(c -> assertThat(c.version()).endsWith("/success_rate"));
  }

  @Test
  void virtualRuns_areDeterministicForASeed() throws Exception {
    SimulationReport a = run("gray-failure", 3);
    SimulationReport b = run("gray-failure", 3);
    assertThat(a.requests()).as("requests").isEqualTo(b.requests());
    assertThat(a.errors()).as("errors").isEqualTo(b.errors());
    assertThat(a.endpointChanges().size()).as("changes").isEqualTo(b.endpointChanges().size());
  }

  @Test
  void outlierDetection_replacesTheControlPlane_andVirtualTimeTalksToNothing() {
    var withAds =
        SimulationOptions.builder(ScenarioLoader.builtIn("null"))
            .ads("127.0.0.1:18000")
            .outlierDetection(OutlierDetectionConfig.envoyDefaults());
    assertThatThrownBy(withAds::build).as("with ads").hasMessageContaining("outlierDetection");
    var virtualWithCollector =
        SimulationOptions.builder(ScenarioLoader.builtIn("null"))
            .collector("127.0.0.1:19000")
            .virtualTime();
    assertThatThrownBy(virtualWithCollector::build)
        .as("virtual with a collector")
        .hasMessageContaining("virtualTime");
  }
}
