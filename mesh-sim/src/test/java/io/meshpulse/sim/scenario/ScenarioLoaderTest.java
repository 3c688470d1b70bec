package io.meshpulse.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ScenarioLoaderTest {
  static final java.util.List<String> BUILT_IN = ScenarioLoader.BUILT_IN;

  static final String MINIMAL =
      """
      name: tiny
      services:
        - name: reviews
          port: 9080
          subsets:
            - name: v1
              endpoints:
                - {port: 9101}
                - {port: 9102, latency: {medianMs: 5, p99Ms: 9}, errorRate: 0.5}
      proxies:
        - {workload: productpage-v1, rps: 10, calls: [reviews]}
      """;

  @ParameterizedTest
  @FieldSource("BUILT_IN")
  void builtInScenario_loadsWithADefaultSizeForTwoCores(String name) {
    Scenario s = ScenarioLoader.builtIn(name);
    assertThat(s.name()).as("name").isEqualTo(name);
    if (name.equals("gray-failure-low-volume")) {
      // many callers at low volume each: below Envoy's per-host request volumes per 10 s interval
      assertThat(s.proxyCount()).as("proxies").isBetween(50, 250);
      double perProxyPerEndpoint =
          s.proxies().get(0).rps()
              / s.proxies().get(0).calls().size()
              / s.service("reviews").orElseThrow().endpoints().size();
      assertThat(perProxyPerEndpoint * 10)
          .as("requests per proxy, endpoint and 10 s")
          .isLessThan(50);
    } else {
      assertThat(s.proxyCount()).as("proxies").isBetween(8, 12);
    }
    assertThat(s.totalRps()).as("total rps").isBetween(2000.0, 4000.0);
    assertThat(s.service("reviews").orElseThrow().endpoints())
        .as("reviews endpoints")
        .hasSizeBetween(8, 12);
    if (name.equals("null")) {
      assertThat(s.faults()).as("null scenario faults").isEmpty();
    } else {
      assertThat(s.faults()).as("faults").hasSize(1);
      assertThat(s.faults().get(0).at())
          .as("fault onset")
          .isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
    }
  }

  @Test
  void minimalScenario_getsDefaultsAndEndpointOverrides() {
    Scenario s = ScenarioLoader.parse(MINIMAL, "tiny.yaml");
    ServiceSpec reviews = s.service("reviews").orElseThrow();
    assertThat(s.duration()).as("default duration").isEqualTo(Duration.ofSeconds(60));
    assertThat(s.seed()).as("default seed").isEqualTo(1L);
    assertThat(reviews.protocol()).as("default protocol").isEqualTo(Protocol.HTTP);
    assertThat(reviews.subsets().get(0).labels())
        .as("default labels")
        .containsEntry("version", "v1");
    EndpointSpec first = reviews.endpoints().get(0);
    EndpointSpec second = reviews.endpoints().get(1);
    assertThat(first.address()).as("default address").isEqualTo("127.0.0.1");
    assertThat(first.latency()).as("inherited latency").isEqualTo(new LatencySpec(20, 80));
    assertThat(second.latency()).as("own latency").isEqualTo(new LatencySpec(5, 9));
    assertThat(second.errorRate()).as("own error rate").isEqualTo(0.5);
    ProxySpec p = s.proxies().get(0);
    assertThat(p.app()).as("app defaults to workload").isEqualTo("productpage-v1");
    assertThat(p.namespace()).as("namespace").isEqualTo("default");
    assertThat(p.count()).as("count").isEqualTo(1);
  }

  @Test
  void validationErrors_nameTheSourceAndTheField() {
    assertThatThrownBy(
            () -> ScenarioLoader.parse(MINIMAL.replace("port: 9080", "port: 0"), "a.yaml"))
        .as("bad port")
        .hasMessage("a.yaml: services[0].port: must be between 1 and 65535, got 0");
    assertThatThrownBy(() -> ScenarioLoader.parse(MINIMAL.replace("rps: 10", "rsp: 10"), "a.yaml"))
        .as("typo")
        .hasMessageStartingWith("a.yaml: proxies[0].rsp: unknown field");
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    MINIMAL.replace("calls: [reviews]", "calls: [ratings]"), "a.yaml"))
        .as("unknown called service")
        .hasMessage("a.yaml: proxies[0].calls: unknown service 'ratings'");
    assertThatThrownBy(
            () -> ScenarioLoader.parse(MINIMAL.replace("{port: 9102,", "{port: 9101,"), "a.yaml"))
        .as("duplicate endpoint")
        .hasMessageContaining(
            "services[0].subsets[0].endpoints[1]: endpoint 127.0.0.1:9101 is declared twice");
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    MINIMAL.replace("name: tiny", "name: tiny\nduration: soon"), "a.yaml"))
        .as("bad duration")
        .hasMessageContaining("a.yaml: duration: 'soon' is not a duration");
    assertThatThrownBy(
            () -> ScenarioLoader.parse(MINIMAL.replace("p99Ms: 9", "p99Ms: 1"), "a.yaml"))
        .as("p99 below median")
        .hasMessageContaining(
            "services[0].subsets[0].endpoints[1].latency.p99Ms: must be >= medianMs");
    assertThatThrownBy(() -> ScenarioLoader.parse("name: x\nproxies: []\n", "a.yaml"))
        .as("missing services")
        .hasMessage("a.yaml: services: is required");
    assertThatThrownBy(() -> ScenarioLoader.parse("services: [", "a.yaml"))
        .as("not YAML")
        .hasMessageStartingWith("a.yaml: not valid YAML");
  }

  @Test
  void faultErrors_nameTheFaultField() {
    String base = MINIMAL + "faults:\n  - ";
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    base + "{kind: meltdown, service: reviews, endpoint: '127.0.0.1:9101'}",
                    "f.yaml"))
        .as("unknown kind")
        .hasMessageStartingWith("f.yaml: faults[0].kind: unknown fault kind 'meltdown'");
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    base + "{kind: gray-failure, service: reviews, endpoint: '127.0.0.1:9999'}",
                    "f.yaml"))
        .as("unknown endpoint")
        .hasMessage("f.yaml: faults[0].endpoint: service reviews has no endpoint '127.0.0.1:9999'");
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    base + "{kind: bad-canary, service: reviews, subset: v9}", "f.yaml"))
        .as("unknown subset")
        .hasMessage("f.yaml: faults[0].subset: service reviews has no subset 'v9'");
    assertThatThrownBy(
            () -> ScenarioLoader.parse(base + "{kind: bad-canary, service: reviews}", "f.yaml"))
        .as("no target")
        .hasMessage("f.yaml: faults[0]: needs exactly one of endpoint (address:port) or subset");
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    base
                        + "{kind: gray-failure, service: reviews, endpoint: '127.0.0.1:9101', at: 90s}",
                    "f.yaml"))
        .as("after the end")
        .hasMessage("f.yaml: faults[0].at: starts at or after the end of the run (60s)");
    assertThatThrownBy(
            () ->
                ScenarioLoader.parse(
                    base
                        + "{kind: gray-failure, service: reviews, endpoint: '127.0.0.1:9101', errorRate: 2}",
                    "f.yaml"))
        .as("rate above 1")
        .hasMessage("f.yaml: faults[0].errorRate: must be between 0.0 and 1.0, got 2.0");
  }

  @Test
  void faultDefaults_dependOnTheKind() {
    String yaml =
        MINIMAL
            + """
            faults:
              - {kind: gray-failure, service: reviews, endpoint: '127.0.0.1:9101'}
              - {kind: latency-regression, service: reviews, endpoint: '127.0.0.1:9101', at: 40s, duration: 5s}
              - {kind: hard-failure, service: reviews, subset: v1, mode: http-503}
            """;
    Scenario s = ScenarioLoader.parse(yaml, "f.yaml");
    assertThat(s.faults().get(0).errorRate()).as("gray default rate").isEqualTo(0.04);
    assertThat(s.faults().get(0).at()).as("default onset").isEqualTo(Duration.ofSeconds(30));
    assertThat(s.faults().get(1).latencyFactor()).as("regression default factor").isEqualTo(3.0);
    assertThat(s.faults().get(1).end()).as("end").contains(Duration.ofSeconds(45));
    assertThat(s.faults().get(2).mode()).as("mode").isEqualTo(HardFailureMode.HTTP_503);
  }

  @Test
  void overrides_moveTheWholeTimelineAndTheDuration() {
    Scenario s = ScenarioLoader.builtIn("hard-failure");
    Scenario short_ =
        s.withOverrides(Optional.of(Duration.ofSeconds(6)), Optional.of(Duration.ofSeconds(2)));
    assertThat(short_.duration()).as("duration").isEqualTo(Duration.ofSeconds(6));
    assertThat(short_.faults().get(0).at()).as("fault onset").isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void load_acceptsAFileAndRejectsUnknownNames(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tiny.yaml");
    Files.writeString(file, MINIMAL);
    assertThat(ScenarioLoader.load(file.toString()).name()).as("from file").isEqualTo("tiny");
    assertThatThrownBy(() -> ScenarioLoader.load("no-such-scenario"))
        .as("unknown name")
        .hasMessageContaining("neither a built-in scenario (hard-failure, gray-failure");
  }

  @Test
  void durations_parseTheUnitsTheDocsName() {
    assertThat(Durations.parse("500ms")).as("ms").isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1.5s")).as("fractional s").isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).as("m").isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> Durations.parse("10"))
        .as("no unit")
        .isInstanceOf(IllegalArgumentException.class);
  }
}
