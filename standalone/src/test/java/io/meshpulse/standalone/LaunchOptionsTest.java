package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {
  @Test
  void demo_defaultsToTheHardFailureScenarioAndItsOwnDuration() {
    LaunchOptions options = LaunchOptions.parse(List.of("demo"));
    assertThat(options.scenario()).as("scenario").isEqualTo("hard-failure");
    assertThat(options.duration()).as("duration").isEmpty();
    assertThat(options.kafkaPort()).as("kafka port").isEqualTo(19092);
  }

  @Test
  void demo_takesScenarioDurationReportAndNoUi() {
    LaunchOptions options =
        LaunchOptions.parse(
            List.of(
                "demo",
                "--scenario",
                "null",
                "--duration",
                "60s",
                "--report",
                "out.json",
                "--no-ui"));
    assertThat(options.scenario()).as("scenario").isEqualTo("null");
    assertThat(options.duration()).as("duration").contains(Duration.ofSeconds(60));
    assertThat(options.report()).as("report").contains(Path.of("out.json"));
    assertThat(options.ui()).as("ui").isFalse();
  }

  @Test
  void aReportInAMissingDirectory_orAnOptionForAValue_isRefusedAtOnce() {
    assertThatThrownBy(
            () -> LaunchOptions.parse(List.of("demo", "--report", "no-such-dir/out.json")))
        .as("missing directory")
        .hasMessageStartingWith("--report: directory ")
        .hasMessageEndingWith("no-such-dir does not exist");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--report", "--no-ui")))
        .as("an option where the value should be")
        .hasMessage("--report needs a value");
  }

  @Test
  void aPortInUse_isNamedBeforeAnythingStarts() throws Exception {
    try (java.net.ServerSocket held =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      PlatformOptions options =
          PlatformOptions.builder(Path.of("unused"))
              .randomPorts()
              .kafkaPort(held.getLocalPort())
              .topology(Path.of("t.yaml"))
              .build();
      assertThatThrownBy(() -> Platform.requireFreePorts(options))
          .hasMessageStartingWith("port " + held.getLocalPort() + " for Kafka (--kafka-port)")
          .hasMessageContaining("in use on 127.0.0.1");
    }
  }

  @Test
  void badSettingValues_andUnknownXdsSettings_areNamedBeforeAnythingStarts() {
    for (String[] bad :
        new String[][] {
          {"meshpulse.health.window.slide=fast", "meshpulse.health.window.slide"},
          {"meshpulse.xds.polcy.step-interval=2s", "meshpulse.xds.polcy.step-interval"},
          {"meshpulse.xds.policy.min-dwell=soon", "meshpulse.xds.policy.min-dwell"},
        }) {
      PlatformOptions options =
          PlatformOptions.builder(Path.of("unused"))
              .randomPorts()
              .set(bad[0])
              .topology(Path.of("t.yaml"))
              .build();
      assertThatThrownBy(() -> Platform.requireValidSettings(options))
          .as(bad[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad[1]);
    }
    PlatformOptions good =
        PlatformOptions.builder(Path.of("unused"))
            .set("meshpulse.health.window.slide=1s")
            .set("meshpulse.xds.policy.min-dwell=2s")
            .set("meshpulse.xds.kafka.properties.linger.ms=5")
            .topology(Path.of("t.yaml"))
            .build();
    Platform.requireValidSettings(good);
  }

  @Test
  void standalone_takesATopology_butNotDemoOptions() {
    assertThat(LaunchOptions.parse(List.of("standalone", "--topology", "t.yaml")).topology())
        .as("topology")
        .contains(Path.of("t.yaml"));
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("standalone", "--scenario", "null")))
        .as("--scenario on standalone")
        .hasMessageContaining("--scenario");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--topology", "t.yaml")))
        .as("--topology on the demo")
        .hasMessageContaining("--topology");
  }

  @Test
  void set_passesHealthAndXdsSettings_andNamesABadOne() {
    LaunchOptions options =
        LaunchOptions.parse(
            List.of(
                "standalone",
                "--set",
                "meshpulse.health.window.slide=500ms",
                "--set",
                "meshpulse.xds.policy.step-interval=2s",
                "--set",
                "meshpulse.xds.kafka.routing-decisions-topic=d"));
    PlatformOptions platform =
        options.applyTo(PlatformOptions.builder(Path.of("data"))).topology(Path.of("t")).build();
    assertThat(platform.healthSettings())
        .as("health settings")
        .containsExactly(java.util.Map.entry("meshpulse.health.window.slide", "500ms"));
    assertThat(platform.xdsProperties())
        .as("xds-control properties")
        .containsExactly(
            "meshpulse.xds.policy.step-interval=2s",
            "meshpulse.xds.kafka.routing-decisions-topic=d");
    assertThat(platform.kafkaPort()).as("kafka port").isEqualTo(19092);

    assertThatThrownBy(
            () -> LaunchOptions.parse(List.of("demo", "--set", "meshpulse.health.window.slid=1s")))
        .as("a mistyped health setting")
        .hasMessageStartingWith("--set: unknown setting meshpulse.health.window.slid");
    assertThatThrownBy(
            () ->
                LaunchOptions.parse(
                    List.of("demo", "--set", "meshpulse.health.kafka.bootstrap-servers=x:1")))
        .as("a setting the platform owns")
        .hasMessageContaining("meshpulse.health.kafka.bootstrap-servers is set by the platform");
    for (String owned :
        List.of(
            "meshpulse.xds.kafka.bootstrap-servers",
            "meshpulse.xds.kafka.bootstrapServers",
            "meshpulse.xds.ads.port",
            "meshpulse.xds.kafka.state-dir",
            "meshpulse.xds.topology_file")) {
      assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--set", owned + "=x")))
          .as("an xds-control setting the platform owns: %s", owned)
          .hasMessageContaining(owned + " is set by the platform");
    }
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--set", "server.port=1")))
        .as("a setting of neither")
        .hasMessageContaining("setting server.port: only");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--set", "novalue")))
        .as("no value")
        .hasMessageContaining("'novalue' is not name=value");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--set")))
        .as("--set last")
        .hasMessageContaining("--set needs a value");
  }

  @Test
  void duration_acceptsUnitsAndIso() {
    assertThat(LaunchOptions.parseDuration("60s")).as("60s").isEqualTo(Duration.ofSeconds(60));
    assertThat(LaunchOptions.parseDuration("2m")).as("2m").isEqualTo(Duration.ofMinutes(2));
    assertThat(LaunchOptions.parseDuration("PT5S")).as("PT5S").isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void badDuration_namesTheOption() {
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--duration", "soon")))
        .as("--duration soon")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--duration");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--duration", "0s")))
        .as("--duration 0s")
        .hasMessageContaining("--duration");
  }

  @Test
  void unknownOption_andMissingValue_areRejected() {
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--colour")))
        .as("unknown option")
        .hasMessageContaining("--colour");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("demo", "--kafka-port")))
        .as("option without value")
        .hasMessageContaining("needs a value");
  }
}
