package io.meshpulse.bench.collector;

import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.meshpulse.bench.Benchmark;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./meshpulse bench collector}: JMH of the mapping path, then a whole collector (gRPC in,
 * Kafka acknowledged) at 1, 8 and 64 streams, each level measured in several rounds of over a
 * million entries (reported as median and range), and the raw protobuf decode rate of the same
 * messages in the same JVM.
 */
public final class CollectorBenchmark implements Benchmark {
  static final int[] STREAMS = {1, 8, 64};
  static final int ROUNDS = 5;
  static final long ENTRIES_PER_ROUND = 1_200_000;
  static final long WARMUP_ENTRIES_PER_LEVEL = 1_200_000;
  static final int DECODE_ROUNDS = 3;
  static final double DECODE_SECONDS = 2;
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
                + ". Wall-clock rates depend on what else runs on the 2 cores; the per-core"
                + " figures (entries ÷ CPU seconds) much less so.";
    return "JMH of the mapping path (1 fork, 1 thread, "
        + MappingJmh.WARMUP_ITERATIONS
        + "×"
        + MappingJmh.WARMUP_SECONDS
        + " s warm-up, "
        + MappingJmh.MEASUREMENT_ITERATIONS
        + "×"
        + MappingJmh.ITERATION_SECONDS
        + " s measurement; entries/s of one thread, and per CPU second of that thread). Then the"
        + " whole collector in this JVM (its defaults: idempotent producer, acks=all, lz4, linger"
        + " 5 ms) against an embedded broker in the same JVM, fed over 127.0.0.1 by real gRPC ALS"
        + " streams (one channel per proxy) of pre-built Envoy-like Istio batches of "
        + EnvoyTraffic.ENTRIES_PER_MESSAGE
        + " HTTP entries. Warm-up (not reported): "
        + String.format("%,d", WARMUP_ENTRIES_PER_LEVEL)
        + " entries at each stream level. Then "
        + ROUNDS
        + " rounds, each running every level in turn (1, 8, 64 streams; a full GC before each,"
        + " not measured) with "
        + String.format("%,d", ENTRIES_PER_ROUND)
        + " entries per level. A round is timed from the first message sent to the last record"
        + " acknowledged by Kafka (the collector's records_produced counter reaching the entries"
        + " sent). Per core = entries ÷ CPU seconds over that time: of the collector's own threads"
        + " (gRPC server transport and executor threads, the Kafka sink thread, the collector's"
        + " producer I/O thread; JVM GC and JIT threads not included), and of the whole process"
        + " (broker, load generator, GC and JIT included). The GC column is the CPU of the JVM's"
        + " garbage collector threads (whole process, read from /proc). Per level the median of"
        + " the rounds is reported, with the lowest and highest in brackets. Raw decode ="
        + " StreamAccessLogsMessage.parseFrom of the same messages on one thread of the same JVM,"
        + " "
        + DECODE_ROUNDS
        + " rounds of "
        + (int) DECODE_SECONDS
        + " s after a "
        + (int) DECODE_SECONDS
        + " s warm-up, per CPU second of that thread (median); the ratio is the collector's"
        + " per-core median over it."
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

    Map<Integer, List<CollectorRun.Level>> levels = new LinkedHashMap<>();
    try (CollectorRun run = new CollectorRun(traffic)) {
      // The JIT needs a few hundred thousand entries per level (more when the machine is busy and
      // its compiler threads wait for a core) before the measured rounds run compiled code.
      for (int streams : STREAMS) {
        progress.println("warm-up, " + streams + " streams (not reported)");
        run.measure(streams, messagesPerStream(WARMUP_ENTRIES_PER_LEVEL, streams), progress);
      }
      // Rounds interleave the levels, so a change in what else the machine runs hits them alike.
      for (int round = 1; round <= ROUNDS; round++) {
        for (int streams : STREAMS) {
          progress.println("round " + round + ", " + streams + " streams");
          System.gc();
          levels
              .computeIfAbsent(streams, s -> new ArrayList<>())
              .add(run.measure(streams, messagesPerStream(ENTRIES_PER_ROUND, streams), progress));
        }
      }
    }
    List<DecodeRate.Result> decode = DecodeRate.measure(traffic, DECODE_SECONDS, DECODE_ROUNDS);
    progress.println("raw decode per CPU second: " + decodeSpread(decode).text());
    loadAfter = loadAverage();
    progress.println("load average after: " + loadAfter);
    return table(jmh, levels, decode, entryBytes);
  }

  private static int messagesPerStream(long entries, int streams) {
    return (int) Math.ceil((double) entries / EnvoyTraffic.ENTRIES_PER_MESSAGE / streams);
  }

  static Spread decodeSpread(List<DecodeRate.Result> decode) {
    return Spread.of(decode.stream().mapToDouble(DecodeRate.Result::perCore).toArray());
  }

  static Spread collectorSpread(List<CollectorRun.Level> rounds) {
    return Spread.of(rounds.stream().mapToDouble(CollectorRun.Level::perCollectorCore).toArray());
  }

  static Spread processSpread(List<CollectorRun.Level> rounds) {
    return Spread.of(rounds.stream().mapToDouble(CollectorRun.Level::perProcessCore).toArray());
  }

  static List<String> table(
      List<MappingJmh.Score> jmh,
      Map<Integer, List<CollectorRun.Level>> levels,
      List<DecodeRate.Result> decode,
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
        "| whole collector, round | entries | seconds | entries/s | process cores used"
            + " | entries/s per process core | collector-thread cores used"
            + " | entries/s per collector-thread core | GC threads cores used | drops |");
    lines.add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (int round = 0; round < ROUNDS; round++) {
      for (List<CollectorRun.Level> rounds : levels.values()) {
        if (round < rounds.size()) {
          lines.add(roundRow(round + 1, rounds.get(round)));
        }
      }
    }
    Spread raw = decodeSpread(decode);
    lines.add("");
    lines.add(
        "| streams | entries/s per collector-thread core, median (min–max) | range"
            + " | entries/s per process core, median (min–max) | entries/s (wall), median"
            + " | ratio to raw decode: collector threads / process | target ≥ "
            + rate(COLLECTOR_TARGET)
            + " per collector-thread core |");
    lines.add("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    List<String> verdicts = new ArrayList<>();
    for (Map.Entry<Integer, List<CollectorRun.Level>> level : levels.entrySet()) {
      Spread collector = collectorSpread(level.getValue());
      Spread process = processSpread(level.getValue());
      Spread wall =
          Spread.of(
              level.getValue().stream()
                  .mapToDouble(CollectorRun.Level::entriesPerSecond)
                  .toArray());
      String verdict = collector.median() >= COLLECTOR_TARGET ? "met" : "missed";
      verdicts.add(level.getKey() + " stream" + (level.getKey() == 1 ? "" : "s") + " " + verdict);
      lines.add(
          String.format(
              "| %d | %s | %.1f %% | %s | %s | %.2f / %.2f | %s |",
              level.getKey(),
              collector.text(),
              collector.rangePercent(),
              process.text(),
              rate(wall.median()),
              collector.median() / raw.median(),
              process.median() / raw.median(),
              verdict));
    }
    lines.add("");
    lines.add(
        String.format(
            "Raw protobuf decode, one thread: %s entries per CPU second, median (min–max) of %d"
                + " rounds.  ",
            raw.text(), raw.rounds()));
    double mapping =
        jmh.stream()
            .filter(s -> s.benchmark().equals("decodeMapSerialize"))
            .mapToDouble(MappingJmh.Score::perCpuSecond)
            .findFirst()
            .orElse(0);
    lines.add(
        String.format(
            "Mapping path (decodeMapSerialize): %s entries per CPU second, target ≥ %s: %s.  ",
            rate(mapping), rate(MAPPING_TARGET), mapping >= MAPPING_TARGET ? "met" : "missed"));
    lines.add(
        String.format(
            "Whole collector, median of %d rounds per level, target ≥ %s entries/s per"
                + " collector-thread core: %s.",
            ROUNDS, rate(COLLECTOR_TARGET), String.join(", ", verdicts)));
    return lines;
  }

  private static String roundRow(int round, CollectorRun.Level level) {
    return String.format(
        "| %d, %d stream%s | %d | %.2f | %s | %.2f | %s | %.2f | %s | %.2f | %.0f |",
        round,
        level.streams(),
        level.streams() == 1 ? "" : "s",
        level.entries(),
        level.wallSeconds(),
        rate(level.entriesPerSecond()),
        level.processCpuSeconds() / level.wallSeconds(),
        rate(level.perProcessCore()),
        level.collectorCpuSeconds() / level.wallSeconds(),
        rate(level.perCollectorCore()),
        level.gcCpuSeconds() / level.wallSeconds(),
        level.dropped());
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
