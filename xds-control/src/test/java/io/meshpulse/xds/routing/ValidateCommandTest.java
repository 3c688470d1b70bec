package io.meshpulse.xds.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Path... files) {
    return ValidateCommand.run(
        java.util.Arrays.stream(files).map(Path::toString).toList(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void goodFiles_exitZero_andSayWhatWasChecked() throws Exception {
    int status =
        run(
            write("topology.yml", RoutingFixtures.TOPOLOGY),
            write("seed.yml", RoutingFixtures.SEED));
    assertThat(status).as("exit status").isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("output")
        .contains(
            "OK: 1 gateway(s), 1 virtual service(s), 1 route(s); checked against 2 service(s)");
  }

  @Test
  void everyProblemIsPrintedWithFileAndLine_andTheStatusIsNonZero() throws Exception {
    Path routes =
        write(
            "routes.yml",
            RoutingFixtures.SEED
                .replace("host: my-service", "host: nobody")
                .replace("exact: /", "regex: \"(\""));
    int status = run(write("topology.yml", RoutingFixtures.TOPOLOGY), routes);
    assertThat(status).as("exit status").isEqualTo(1);
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines)
        .as("printed problems")
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        routes
                            + ":29: VirtualService/my-service spec.http[0].match[0].uri.regex: invalid RE2 regex"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        routes
                            + ":32: VirtualService/my-service spec.http[0].route[0].destination.host: unknown service 'nobody'"));
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("summary")
        .contains("2 problem(s) in 2 file(s)");
  }

  @Test
  void withoutATopology_onlyTheFilesThemselvesAreChecked() throws Exception {
    int status =
        run(write("seed.yml", RoutingFixtures.SEED.replace("host: my-service", "host: nobody")));
    assertThat(status).as("exit status").isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("output")
        .contains("not checked (no topology file given)");
  }

  @Test
  void noFiles_isAUsageError() {
    assertThat(ValidateCommand.run(List.of(), new PrintStream(out), new PrintStream(err)))
        .as("exit status")
        .isEqualTo(2);
  }
}
