package io.meshpulse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The facts of a benchmark run: date, machine, JVM and git revision. */
record Machine(String date, int cores, long maxHeapMb, String jvm, String os, String revision) {

  static Machine current() {
    Runtime rt = Runtime.getRuntime();
    return new Machine(
        DateTimeFormatter.ISO_LOCAL_DATE_TIME
                .withZone(ZoneOffset.UTC)
                .format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
            + "Z",
        rt.availableProcessors(),
        rt.maxMemory() / (1024 * 1024),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        gitRevision());
  }

  String line() {
    return String.format(
        "%s, %d cores, %s, max heap %d MB, %s, git %s", date, cores, jvm, maxHeapMb, os, revision);
  }

  private static String gitRevision() {
    try {
      Process p =
          new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      String dirty = "";
      Process s =
          // The results file itself changes with every run; only code and settings count, a new
          // file not yet added among them.
          new ProcessBuilder(
                  "git", "status", "--porcelain", "--", ".", ":(exclude)docs/benchmarks.md")
              .redirectErrorStream(true)
              .start();
      if (!new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank()) {
        dirty = "+changes";
      }
      return p.waitFor() == 0 ? out + dirty : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
