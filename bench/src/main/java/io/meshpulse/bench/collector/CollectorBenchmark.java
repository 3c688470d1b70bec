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
  static final double DECODE_SECONDS = 1;
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
        + " StreamAccessLogsMessage.parseFrom of the same messages on one thread of the same JVM"
        + " (nothing else running in it), per CPU second of that thread, measured for "
        + (int) DECODE_SECONDS
        + " s right before every collector round (after a warm-up); the ratio is taken per round"
        + " (the round's per-core figure ÷ the decode rate measured just before it) and its median"
        + " reported, so that the machine's speed changing during the run (other work on the host)"
        + " cancels out of the figure."
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
    Map<Integer, List<DecodeRate.Result>> decodes = new LinkedHashMap<>();
    DecodeRate decoder = new DecodeRate(traffic);
    try (CollectorRun run = new CollectorRun(traffic)) {
      // The JIT needs a few hundred thousand entries per level (more when the machine is busy and
      // its compiler threads wait for a core) before the measured rounds run compiled code.
      for (int streams : STREAMS) {
        progress.println("warm-up, " + streams + " streams (not reported)");
        run.measure(streams, messagesPerStream(WARMUP_ENTRIES_PER_LEVEL, streams), progress);
      }
      decoder.warmUp(2 * DECODE_SECONDS);
      // Rounds interleave the levels, so a change in what else the machine runs hits them alike.
      for (int round = 1; round <= ROUNDS; round++) {
        for (int streams : STREAMS) {
          System.gc();
          DecodeRate.Result decode = decoder.round(DECODE_SECONDS);
          progress.printf(
              "round %d, %d streams; raw decode just before: %.0f entries per CPU second%n",
              round, streams, decode.perCore());
          decodes.computeIfAbsent(streams, s -> new ArrayList<>()).add(decode);
          levels
              .computeIfAbsent(streams, s -> new ArrayList<>())
              .add(run.measure(streams, messagesPerStream(ENTRIES_PER_ROUND, streams), progress));
        }
      }
    }
    loadAfter = loadAverage();
    progress.println("load average after: " + loadAfter);
    return table(jmh, levels, decodes, entryBytes);
  }

  private static int messagesPerStream(long entries, int streams) {
    return (int) Math.ceil((double) entries / EnvoyTraffic.ENTRIES_PER_MESSAGE / streams);
  }

  static Spread decodeSpread(Map<Integer, List<DecodeRate.Result>> decodes) {
    return Spread.of(
        decodes.values().stream()
            .flatMap(List::stream)
            .mapToDouble(DecodeRate.Result::perCore)
            .toArray());
  }

  /** Per round: {@code perCore} of the round ÷ the raw decode rate measured just before it. */
  static Spread ratioSpread(
      List<CollectorRun.Level> rounds,
      List<DecodeRate.Result> decodes,
      java.util.function.ToDoubleFunction<CollectorRun.Level> perCore) {
    double[] ratios = new double[rounds.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = perCore.applyAsDouble(rounds.get(i)) / decodes.get(i).perCore();
    }
    return Spread.of(ratios);
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
      Map<Integer, List<DecodeRate.Result>> decodes,
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
            + " | entries/s per collector-thread core | GC threads cores used | drops"
            + " | raw decode per CPU second just before | ratio (collector threads) |");
    lines.add(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (int round = 0; round < ROUNDS; round++) {
      for (Map.Entry<Integer, List<CollectorRun.Level>> level : levels.entrySet()) {
        if (round < level.getValue().size()) {
          lines.add(
              roundRow(
                  round + 1, level.getValue().get(round), decodes.get(level.getKey()).get(round)));
        }
      }
    }
    Spread raw = decodeSpread(decodes);
    lines.add("");
    lines.add(
        "| streams | entries/s per collector-thread core, median (min–max) | range"
            + " | entries/s per process core, median (min–max) | entries/s (wall), median"
            + " | ratio to raw decode, median: collector threads / process | target ≥ "
            + rate(COLLECTOR_TARGET)
            + " per collector-thread core |");
    lines.add("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    List<String> verdicts = new ArrayList<>();
    for (Map.Entry<Integer, List<CollectorRun.Level>> level : levels.entrySet()) {
      Spread collector = collectorSpread(level.getValue());
      Spread process = processSpread(level.getValue());
      List<DecodeRate.Result> decode = decodes.get(level.getKey());
      Spread collectorRatio =
          ratioSpread(level.getValue(), decode, CollectorRun.Level::perCollectorCore);
      Spread processRatio =
          ratioSpread(level.getValue(), decode, CollectorRun.Level::perProcessCore);
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
              collectorRatio.median(),
              processRatio.median(),
              verdict));
    }
    lines.add("");
    lines.add(
        String.format(
            "Raw protobuf decode, one thread: %s entries per CPU second, median (min–max) of the"
                + " %d measurements.  ",
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

  private static String roundRow(int round, CollectorRun.Level level, DecodeRate.Result decode) {
    return String.format(
        "| %d, %d stream%s | %d | %.2f | %s | %.2f | %s | %.2f | %s | %.2f | %.0f | %s | %.2f |",
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
        level.dropped(),
        rate(decode.perCore()),
        level.perCollectorCore() / decode.perCore());
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
