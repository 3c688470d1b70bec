package io.meshpulse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds and runs the external programs that {@link RequiresTool} checks for. */
public final class Tools {
  private Tools() {}

  /** The absolute path of an executable on the {@code PATH}; fails when it is missing. */
  public static Path require(String tool) {
    return RequiredToolsCondition.find(tool, System.getenv("PATH"))
        .orElseThrow(() -> new IllegalStateException(tool + " is not on the PATH"));
  }

  /** What a finished program returned: its exit code and its stdout and stderr together. */
  public record Result(int exitCode, String output) {}

  /**
   * Runs a program in {@code workDir} and waits for it; kills it and fails after {@code timeout}.
   */
  public static Result run(Duration timeout, Path workDir, List<String> command) {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not finish within " + timeout);
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }
}
