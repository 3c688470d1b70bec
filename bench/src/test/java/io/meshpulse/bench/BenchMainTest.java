package io.meshpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  private static final String ENDPOINTS = "meshpulse.bench.stream.endpoints";
  private static final String RESULTS = "meshpulse.bench.results";
  private static final String SLIDE = "meshpulse.health.window.slide";

  @AfterEach
  void clearSettings() {
    System.clearProperty(ENDPOINTS);
    System.clearProperty(RESULTS);
    System.clearProperty(SLIDE);
  }

  @Test
  void theLauncher_runsEveryBenchmark_forAll_inTheRegistrysOrder() throws IOException {
    assertThat(Files.readString(Path.of("run")))
        .as("bench/run's list for `all`, each benchmark in a JVM of its own")
        .contains("for benchmark in " + String.join(" ", BenchMain.registry().keySet()) + "; do");
  }

  @Test
  void theRecordedCommand_isThePlainLauncherCommand_withoutSettings() {
    assertThat(BenchMain.command(BenchMain.registry().get("stream")))
        .as("command without settings")
        .isEqualTo("./meshpulse bench stream");
  }

  @Test
  void theRecordedCommand_carriesTheBenchmarkSettings_butNotWhereResultsGo() {
    System.setProperty(ENDPOINTS, "1000");
    System.setProperty(RESULTS, "/tmp/elsewhere.md");
    assertThat(BenchMain.command(BenchMain.registry().get("stream")))
        .as("command with settings")
        .isEqualTo(
            "MESHPULSE_BENCH_OPTS=\"-Dmeshpulse.bench.stream.endpoints=1000\""
                + " ./meshpulse bench stream");
  }

  @Test
  void theRecordedCommand_carriesTheSettingsOfTheSystemUnderTest() {
    System.setProperty(SLIDE, "1s");
    assertThat(BenchMain.command(BenchMain.registry().get("loop")))
        .as("command with a health-job setting")
        .isEqualTo(
            "MESHPULSE_BENCH_OPTS=\"-Dmeshpulse.health.window.slide=1s\" ./meshpulse bench loop");
    assertThat(Settings.describe(Settings.fromSystemProperties(Settings.HEALTH_PREFIX)))
        .as("how the figures name it")
        .isEqualTo("default settings except `meshpulse.health.window.slide=1s`");
  }

  @Test
  void aMistypedHealthSetting_stopsTheBenchmark_namingIt() {
    System.setProperty("meshpulse.health.window.slid", "1s");
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> Settings.fromSystemProperties(Settings.HEALTH_PREFIX))
          .as("a typo")
          .hasMessageContaining("unknown setting meshpulse.health.window.slid");
    } finally {
      System.clearProperty("meshpulse.health.window.slid");
    }
  }
}
