package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    assertThat(run("--scenario", "null", "--export-only")).as("export-only, no file").isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("message")
        .contains("--export-only needs --export-topology FILE");
  }

  @Test
  void exportOnly_writesTheTopologyAndRunsNothing(@TempDir Path dir) throws Exception {
    Path topology = dir.resolve("sub/mesh.yaml");
    long start = System.nanoTime();

    // No platform listens on these ports: a run would report its failed streams for 60 s.
    int code =
        run(
            "--scenario",
            "hard-failure",
            "--collector",
            "127.0.0.1:1",
            "--ads",
            "127.0.0.1:1",
            "--export-topology",
            topology.toString(),
            "--export-only");

    assertThat(code).as("exit code; %s", err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("output")
        .isEqualTo("topology written to " + topology + System.lineSeparator());
    JsonNode services =
        new ObjectMapper(new YAMLFactory()).readTree(Files.readString(topology)).get("services");
    assertThat(services.findValuesAsText("name"))
        .as("the scenario's services and subsets")
        .contains("reviews", "ratings", "details", "v1", "v2", "v3");
    assertThat(System.nanoTime() - start).as("ns: no 60 s run").isLessThan(30_000_000_000L);
  }
}
