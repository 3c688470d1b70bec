package io.meshpulse.bench.collector;

import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.bench.Benchmark;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./meshpulse bench collector}: JMH of the mapping path, then a whole collector (gRPC in,
 * Kafka acknowledged) at 1, 8 and 64 streams, and the raw protobuf decode rate of the same messages
 * in the same JVM.
 */
public final class CollectorBenchmark implements Benchmark {
  static final int[] STREAMS = {1, 8, 64};
  static final long ENTRIES_PER_LEVEL = 250_000;
  static final int WARMUP_RUNS = 2;
  static final int WARMUP_MESSAGES_PER_STREAM = 250;
  static final double MAPPING_TARGET = 400_000;
  static final double COLLECTOR_TARGET = 150_000;

  private String loadBefore = "";
  private String loadAfter = "";

  @Override
  public String name() {
    return "collector";
  }

  @Override
  public String description() {
    String load =
        loadBefore.isEmpty()
            ? ""
            : " Load average (1/5/15 min) before: "
                + loadBefore
                + ", after: "
                + loadAfter
                + " — the 2 cores were shared with other work, so wall-clock rates are low"
                + " bounds and the per-core figures (entries ÷ CPU seconds) are the fairer ones.";
    return "JMH of the mapping path (1 fork, 1 thread, "
        + MappingJmh.WARMUP_ITERATIONS
        + "×"
        + MappingJmh.WARMUP_SECONDS
        + " s warm-up, "
        + MappingJmh.MEASUREMENT_ITERATIONS
        + "×"
        + MappingJmh.ITERATION_SECONDS
        + " s measurement; entries/s of one thread, and per CPU second of that thread), then the whole collector in"
        + " this JVM (its defaults: idempotent producer, acks=all, lz4, linger 5 ms) against an"
        + " embedded broker, fed over 127.0.0.1 by real gRPC ALS streams (one channel per proxy)"
        + " of pre-built Envoy-like Istio batches of "
        + EnvoyTraffic.ENTRIES_PER_MESSAGE
        + " HTTP entries, measured after "
        + WARMUP_RUNS
        + " unreported warm-up runs of 8 streams × "
        + WARMUP_MESSAGES_PER_STREAM
        + " messages; rate from the first send to the last record acknowledged by Kafka"
        + " (the collector's records_produced counter); per core = entries ÷ CPU seconds, of the"
        + " whole process (broker and client included) and of the collector's own threads (gRPC"
        + " server, sink, producer; GC not included); raw decode = parseFrom of the same messages"
        + " on one thread of the same JVM."
        + load;
  }

  @Override
  public List<String> run(PrintStream progress) throws Exception {
    loadBefore = loadAverage();
    progress.println("load average before: " + loadBefore);
    List<StreamAccessLogsMessage> traffic = EnvoyTraffic.batches(64, 7);
    long bytes = traffic.stream().mapToLong(StreamAccessLogsMessage::getSerializedSize).sum();
    double entryBytes = (double) bytes / (traffic.size() * EnvoyTraffic.ENTRIES_PER_MESSAGE);

    List<MappingJmh.Score> jmh = MappingJmh.run(progress);

    List<CollectorRun.Level> levels = new ArrayList<>();
    try (CollectorRun run = new CollectorRun(traffic)) {
      // The JIT needs a few hundred thousand entries (more when the machine is busy and its
      // compiler threads wait for a core) before the measured levels run compiled code.
      for (int i = 0; i < WARMUP_RUNS; i++) {
        progress.println("warm-up run " + (i + 1) + " (not reported)");
        run.measure(8, WARMUP_MESSAGES_PER_STREAM, progress);
      }
      for (int streams : STREAMS) {
        int perStream =
            (int)
                Math.ceil((double) ENTRIES_PER_LEVEL / EnvoyTraffic.ENTRIES_PER_MESSAGE / streams);
        levels.add(run.measure(streams, perStream, progress));
      }
    }
    DecodeRate.Result decode = DecodeRate.measure(traffic, 4);
    progress.printf(
        "raw decode: %.0f entries/s, %.0f per CPU second%n",
        decode.entriesPerSecond(), decode.perCore());
    loadAfter = loadAverage();
    progress.println("load average after: " + loadAfter);
    return table(jmh, levels, decode, entryBytes);
  }

  static List<String> table(
      List<MappingJmh.Score> jmh,
      List<CollectorRun.Level> levels,
      DecodeRate.Result decode,
      double entryBytes) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "Messages: %d HTTP entries each, %.0f bytes per entry serialized.",
            EnvoyTraffic.ENTRIES_PER_MESSAGE, entryBytes));
    lines.add("");
    lines.add("| JMH, one thread | entries/s (wall) | ± (99.9%) | entries per CPU second |");
    lines.add("| --- | ---: | ---: | ---: |");
    for (MappingJmh.Score score : jmh) {
      lines.add(
          String.format(
              "| %s | %s | %s | %s |",
              score.benchmark(),
              rate(score.entriesPerSecond()),
              rate(score.error()),
              rate(score.perCpuSecond())));
    }
    lines.add("");
    lines.add(
        "| whole collector | entries | seconds | entries/s | process CPU cores used"
            + " | entries/s per process core | collector-thread cores used"
            + " | entries/s per collector core | drops |");
    lines.add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (CollectorRun.Level level : levels) {
      lines.add(
          String.format(
              "| %d stream%s | %d | %.2f | %s | %.2f | %s | %.2f | %s | %.0f |",
              level.streams(),
              level.streams() == 1 ? "" : "s",
              level.entries(),
              level.wallSeconds(),
              rate(level.entriesPerSecond()),
              level.processCpuSeconds() / level.wallSeconds(),
              rate(level.perProcessCore()),
              level.collectorCpuSeconds() / level.wallSeconds(),
              rate(level.perCollectorCore()),
              level.dropped()));
    }
    lines.add(
        String.format(
            "| raw protobuf decode, 1 thread | %d | %.2f | %s | %.2f (that thread) | %s | – | – | – |",
            decode.entries(),
            decode.wallSeconds(),
            rate(decode.entriesPerSecond()),
            decode.cpuSeconds() / decode.wallSeconds(),
            rate(decode.perCore())));
    lines.add("");
    double bestMapping =
        jmh.stream()
            .filter(s -> s.benchmark().equals("decodeMapSerialize"))
            .mapToDouble(MappingJmh.Score::perCpuSecond)
            .findFirst()
            .orElse(0);
    double bestCollector =
        levels.stream().mapToDouble(CollectorRun.Level::perCollectorCore).max().orElse(0);
    double bestProcess =
        levels.stream().mapToDouble(CollectorRun.Level::perProcessCore).max().orElse(0);
    lines.add(
        String.format(
            "Mapping path (decodeMapSerialize): %s entries per CPU second, target ≥ %s: %s.  ",
            rate(bestMapping),
            rate(MAPPING_TARGET),
            bestMapping >= MAPPING_TARGET ? "met" : "missed"));
    lines.add(
        String.format(
            "Whole collector, best level: %s entries/s per collector-thread core (%s per process"
                + " core), target ≥ %s: %s.  ",
            rate(bestCollector),
            rate(bestProcess),
            rate(COLLECTOR_TARGET),
            bestCollector >= COLLECTOR_TARGET ? "met (collector threads)" : "missed"));
    lines.add(
        String.format(
            "Ratio to raw protobuf decode (per core): collector threads %.2f, whole process %.2f.",
            bestCollector / decode.perCore(), bestProcess / decode.perCore()));
    return lines;
  }

  private static String rate(double perSecond) {
    return String.format("%,.0f", perSecond);
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " / " + fields[1] + " / " + fields[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          "%.2f (1 min)",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
