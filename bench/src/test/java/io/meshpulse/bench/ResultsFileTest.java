package io.meshpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {
  static final Benchmark FAKE =
      new Benchmark() {
        @Override
        public String name() {
          return "fake";
        }

        @Override
        public String description() {
          return "A fake benchmark of the results file.";
        }

        @Override
        public List<String> run(PrintStream progress) {
          return List.of("| a | b |", "| --- | --- |", "| 1 | 2 |");
        }
      };

  @Test
  void append_createsTheFileWithItsHeader_thenAddsSections(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs/benchmarks.md");
    Machine machine =
        new Machine("2026-11-26T12:00:00Z", 2, 3072, "OpenJDK 17", "Linux amd64", "abc1234");

    ResultsFile.append(
        file, ResultsFile.section(FAKE, "./meshpulse bench fake", machine, FAKE.run(null)));
    ResultsFile.append(
        file, ResultsFile.section(FAKE, "./meshpulse bench fake", machine, FAKE.run(null)));

    String text = Files.readString(file);
    assertThat(text).as("results file").startsWith("# Benchmarks");
    assertThat(text.split("## fake", -1)).as("sections").hasSize(3);
    assertThat(text)
        .as("results file")
        .contains("Command: `./meshpulse bench fake`")
        .contains("2 cores, OpenJDK 17, max heap 3072 MB, Linux amd64, git abc1234")
        .contains("| 1 | 2 |");
  }
}
