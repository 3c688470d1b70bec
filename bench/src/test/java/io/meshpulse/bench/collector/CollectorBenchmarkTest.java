package io.meshpulse.bench.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorBenchmarkTest {
  @Test
  void table_judgesEachLevelByTheMedianOfItsRoundsAndTakesTheRatioToRawDecodePerRound() {
    Map<Integer, List<CollectorRun.Level>> levels = new LinkedHashMap<>();
    // 1 stream: 1M entries per 5, 8 and 6 collector CPU seconds -> 200k, 125k, 166.7k: median met.
    levels.put(1, List.of(level(1, 5), level(1, 8), level(1, 6)));
    // 8 streams: 125k, 200k, 111k: median 125k, missed although one round is over the target.
    levels.put(8, List.of(level(8, 8), level(8, 5), level(8, 9)));
    // Raw decode measured before each round: 1M entries per 2, 2.5 and 4 CPU seconds.
    List<DecodeRate.Result> decode =
        List.of(
            new DecodeRate.Result(1_000_000, 2, 2),
            new DecodeRate.Result(1_000_000, 2, 2.5),
            new DecodeRate.Result(1_000_000, 2, 4));
    Map<Integer, List<DecodeRate.Result>> decodes = new LinkedHashMap<>();
    decodes.put(1, decode);
    decodes.put(8, decode);

    List<String> lines = CollectorBenchmark.table(List.of(), levels, decodes, 500);

    // Ratios per round, 1 stream: 200k/500k, 125k/400k, 166.7k/250k = 0.40, 0.31, 0.67.
    // 8 streams: 125k/500k, 200k/400k, 111k/250k = 0.25, 0.50, 0.44.
    assertThat(lines)
        .as("summary rows")
        .contains(
            "| 1 | 166,667 (125,000–200,000) | 45.0 % | 83,333 (62,500–100,000) | 500,000"
                + " | 0.40 / 0.20 | met |",
            "| 8 | 125,000 (111,111–200,000) | 71.1 % | 62,500 (55,556–100,000) | 500,000"
                + " | 0.44 / 0.22 | missed |");
    assertThat(lines)
        .as("round row with the decode rate measured just before it")
        .anyMatch(l -> l.startsWith("| 2, 1 stream |") && l.endsWith("| 400,000 | 0.31 |"));
    assertThat(lines)
        .as("verdict line")
        .anyMatch(l -> l.contains("collector-thread core: 1 stream met, 8 streams missed."));
    assertThat(lines)
        .as("raw decode line")
        .anyMatch(l -> l.startsWith("Raw protobuf decode, one thread: 400,000 (250,000–500,000)"));
  }

  /** 1M entries in 2 s, with twice the collector's CPU seconds for the whole process. */
  private static CollectorRun.Level level(int streams, double collectorCpuSeconds) {
    return new CollectorRun.Level(
        streams, 1_000_000, 2, 2 * collectorCpuSeconds, collectorCpuSeconds, 0.1, 0, "");
  }
}
