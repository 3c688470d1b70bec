package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimMainTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) throws Exception {
    return SimMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void missingScenario_exitsWith2AndSaysWhy() throws Exception {
    assertThat(run("--duration", "5s")).as("exit code").isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("message")
        .contains("--scenario is required")
        .contains("usage:");
  }

  @Test
  void badArguments_exitWith2AndNameTheArgument() throws Exception {
    assertThat(run("--scenario", "hard-failure", "--duration", "forever"))
        .as("bad duration")
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("duration message")
        .contains("'forever' is not a duration");
    assertThat(run("--scenario", "nope")).as("unknown scenario").isEqualTo(2);
    assertThat(run("--scenario", "null", "--collector", "localhost"))
        .as("collector without port")
        .isEqualTo(2);
    assertThat(run("--scenario", "null", "--frobnicate")).as("unknown flag").isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("messages")
        .contains("unknown argument '--frobnicate'")
        .contains("collector must be host:port");
    assertThat(run("--scenario", "null", "--seed", "x")).as("bad seed").isEqualTo(2);
    assertThat(run("--scenario", "hard-failure", "--duration", "30s"))
        .as("a run that ends when the fault would start")
        .isEqualTo(2);
    assertThat(run("--scenario", "hard-failure", "--fault-at", "70s"))
        .as("a fault after the end")
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("messages")
        .contains("the fault starts at 30s, not before the end of the run at 30s")
        .contains("the fault starts at 70s, not before the end of the run at 60s");
  }
}
