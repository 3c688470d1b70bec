package io.meshpulse.bench.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorBenchmarkTest {
  @Test
  void table_judgesEachLevelByTheMedianOfItsRoundsAndReportsTheRatioToRawDecode() {
    Map<Integer, List<CollectorRun.Level>> levels = new LinkedHashMap<>();
    // 1 stream: 1M entries per 5, 8 and 6 collector CPU seconds -> 200k, 125k, 166.7k: median met.
    levels.put(1, List.of(level(1, 5), level(1, 8), level(1, 6)));
    // 8 streams: 125k, 200k, 111k: median 125k, missed although one round is over the target.
    levels.put(8, List.of(level(8, 8), level(8, 5), level(8, 9)));
    List<DecodeRate.Result> decode =
        List.of(
            new DecodeRate.Result(1_000_000, 2, 2),
            new DecodeRate.Result(1_000_000, 2, 2.5),
            new DecodeRate.Result(1_000_000, 2, 4));

    List<String> lines = CollectorBenchmark.table(List.of(), levels, decode, 500);

    assertThat(lines)
        .as("summary rows")
        .contains(
            "| 1 | 166,667 (125,000–200,000) | 45.0 % | 83,333 (62,500–100,000) | 500,000"
                + " | 0.42 / 0.21 | met |",
            "| 8 | 125,000 (111,111–200,000) | 71.1 % | 62,500 (55,556–100,000) | 500,000"
                + " | 0.31 / 0.16 | missed |");
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
