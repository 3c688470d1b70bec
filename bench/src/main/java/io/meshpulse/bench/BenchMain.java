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
 * prints their figures and appends them to {@code docs/benchmarks.md}. The launcher ({@code
 * bench/run}) runs {@code all} as one JVM per benchmark, each with its own class path (the stream
 * benchmark's leaves out Kafka Streams' RocksDB); {@code all} here runs them in this JVM.
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

  /**
   * The command that reproduces a run: {@code ./meshpulse bench NAME}, preceded by the {@code
   * meshpulse.bench.*} settings given (other than where results go) and the settings of the system
   * under test ({@code meshpulse.health.*}, {@code meshpulse.xds.*}) as {@code
   * MESHPULSE_BENCH_OPTS}.
   */
  static String command(Benchmark benchmark) {
    List<String> settings = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) {
      boolean bench = key.startsWith("meshpulse.bench.") && !key.equals("meshpulse.bench.results");
      if (bench || key.startsWith(Settings.HEALTH_PREFIX) || key.startsWith(Settings.XDS_PREFIX)) {
        settings.add("-D" + key + "=" + System.getProperty(key));
      }
    }
    String run = "./meshpulse bench " + benchmark.name();
    return settings.isEmpty()
        ? run
        : "MESHPULSE_BENCH_OPTS=\"" + String.join(" ", settings) + "\" " + run;
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
      // Taken before the run: the tree as it was built and run, not as it is when it ends.
      Machine machine = Machine.current();
      List<String> figures = benchmark.run(System.out);
      String section = ResultsFile.section(benchmark, command(benchmark), machine, figures);
      System.out.print(section);
      ResultsFile.append(results, section);
      System.out.println("appended to " + results.toAbsolutePath());
    }
  }
}
