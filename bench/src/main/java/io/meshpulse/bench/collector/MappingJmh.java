package io.meshpulse.bench.collector;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link MappingBenchmark} through JMH's API in one forked JVM. */
final class MappingJmh {
  static final int WARMUP_ITERATIONS = 5;
  static final int MEASUREMENT_ITERATIONS = 5;
  static final int WARMUP_SECONDS = 2;
  static final int ITERATION_SECONDS = 1;

  /**
   * One benchmark's score: entries per wall second of one thread, with JMH's 99.9% error, and
   * entries per CPU second of that thread (the per-core rate).
   */
  record Score(String benchmark, double entriesPerSecond, double error, double perCpuSecond) {}

  private MappingJmh() {}

  static List<Score> run(PrintStream progress) throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(MappingBenchmark.class.getName().replace(".", "\\.") + "\\..*")
            .forks(1)
            .threads(1)
            .warmupIterations(WARMUP_ITERATIONS)
            .warmupTime(TimeValue.seconds(WARMUP_SECONDS))
            .measurementIterations(MEASUREMENT_ITERATIONS)
            .measurementTime(TimeValue.seconds(ITERATION_SECONDS))
            .timeUnit(TimeUnit.SECONDS)
            .jvmArgs("-Xmx1g", "-XX:+UseG1GC")
            .shouldFailOnError(true)
            .build();
    Collection<RunResult> results =
        new Runner(options, OutputFormatFactory.createFormatInstance(progress, VerboseMode.NORMAL))
            .run();
    List<Score> scores = new ArrayList<>();
    for (RunResult result : results) {
      Result<?> primary = result.getPrimaryResult();
      String name = result.getParams().getBenchmark();
      Map<String, Result> secondary = result.getSecondaryResults();
      double entries = secondary.get("entries").getScore();
      double cpuNanos = secondary.get("cpuNanos").getScore();
      scores.add(
          new Score(
              name.substring(name.lastIndexOf('.') + 1),
              primary.getScore(),
              primary.getScoreError(),
              cpuNanos > 0 ? entries / (cpuNanos / 1e9) : 0));
    }
    scores.sort(Comparator.comparingDouble(Score::entriesPerSecond).reversed());
    return scores;
  }
}
