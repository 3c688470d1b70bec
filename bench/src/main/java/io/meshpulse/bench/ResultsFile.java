package io.meshpulse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Appends a benchmark's figures, with the command and the machine, to docs/benchmarks.md. */
final class ResultsFile {
  static final String HEADER =
      """
      # Benchmarks

      Every section below was appended by `./meshpulse bench <name>`, with the command, the date,
      the machine and the git revision it ran on. Newer runs are further down.
      """;

  private ResultsFile() {}

  static String section(
      Benchmark benchmark, String command, Machine machine, List<String> figures) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add("## " + benchmark.name() + " — " + machine.date());
    lines.add("");
    lines.add("Command: `" + command + "`  ");
    lines.add("Machine: " + machine.line());
    lines.add("");
    lines.add(benchmark.description());
    lines.add("");
    lines.addAll(figures);
    return String.join("\n", lines) + "\n";
  }

  static void append(Path file, String section) throws IOException {
    if (!Files.exists(file)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, HEADER, StandardCharsets.UTF_8);
    }
    Files.writeString(file, section, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
