package io.meshpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  private static final String ENDPOINTS = "meshpulse.bench.stream.endpoints";
  private static final String RESULTS = "meshpulse.bench.results";

  @AfterEach
  void clearSettings() {
    System.clearProperty(ENDPOINTS);
    System.clearProperty(RESULTS);
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
}
