package io.meshpulse.bench;

import io.meshpulse.bench.collector.CollectorBenchmark;
import io.meshpulse.bench.loop.LoopBenchmark;
import io.meshpulse.bench.stream.StreamBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./meshpulse bench collector|stream|xds|loop|all}: runs benchmarks one after the other,
 * prints their figures and appends them to {@code docs/benchmarks.md}.
 */
public final class BenchMain {
  private BenchMain() {}

  /** Every benchmark, in the order {@code all} runs them. */
  static Map<String, Benchmark> registry() {
    Map<String, Benchmark> all = new LinkedHashMap<>();
    all.put("collector", new CollectorBenchmark());
    all.put("stream", new StreamBenchmark());
    all.put("xds", new io.meshpulse.bench.xds.XdsBenchmark());
    all.put("loop", new LoopBenchmark());
    return all;
  }

  public static void main(String[] args) throws Exception {
    Map<String, Benchmark> registry = registry();
    if (args.length != 1 || !(registry.containsKey(args[0]) || args[0].equals("all"))) {
      System.err.println(
          "usage: ./meshpulse bench " + String.join("|", registry.keySet()) + "|all");
      System.exit(2);
    }
    List<Benchmark> selected =
        args[0].equals("all") ? new ArrayList<>(registry.values()) : List.of(registry.get(args[0]));
    Path results = Path.of(System.getProperty("meshpulse.bench.results", "docs/benchmarks.md"));
    for (Benchmark benchmark : selected) {
      System.out.printf("== %s: %s%n", benchmark.name(), benchmark.description());
      List<String> figures = benchmark.run(System.out);
      String section =
          ResultsFile.section(
              benchmark, "./meshpulse bench " + benchmark.name(), Machine.current(), figures);
      System.out.print(section);
      ResultsFile.append(results, section);
      System.out.println("appended to " + results.toAbsolutePath());
    }
  }
}
