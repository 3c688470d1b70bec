package io.meshpulse.bench.loop;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Per scenario and system: the runs' figures summed up as one Markdown table row each. */
final class LoopTable {
  /** The figures of one (scenario, system) over its runs. */
  record Row(
      String scenario,
      String system,
      int runs,
      int faultRuns,
      int detected,
      @Nullable Double reactionP50,
      @Nullable Double reactionP99,
      @Nullable Double firstProxyP50,
      int removed,
      @Nullable Double removalP50,
      @Nullable Double removalP99,
      @Nullable Double shareBefore,
      @Nullable Double shareAfter,
      int falseEjections,
      int maxChangesPerFault) {

    @Nullable Double recall() {
      return faultRuns == 0 ? null : (double) detected / faultRuns;
    }
  }

  private LoopTable() {}

  static List<Row> rows(List<RunMetrics> runs) {
    Map<String, List<RunMetrics>> groups = new LinkedHashMap<>();
    for (RunMetrics m : runs) {
      groups.computeIfAbsent(m.scenario() + "\u0000" + m.system(), k -> new ArrayList<>()).add(m);
    }
    List<Row> out = new ArrayList<>();
    for (List<RunMetrics> g : groups.values()) {
      List<Double> reactions =
          g.stream()
              .filter(RunMetrics::detected)
              .map(RunMetrics::reactionSeconds)
              .filter(Objects::nonNull)
              .toList();
      List<Double> first =
          g.stream().map(RunMetrics::firstProxySeconds).filter(Objects::nonNull).toList();
      List<Double> removals =
          g.stream().map(RunMetrics::removalSeconds).filter(Objects::nonNull).toList();
      out.add(
          new Row(
              g.get(0).scenario(),
              g.get(0).system(),
              g.size(),
              (int) g.stream().filter(RunMetrics::hasFault).count(),
              (int) g.stream().filter(RunMetrics::detected).count(),
              percentile(reactions, 0.50),
              percentile(reactions, 0.99),
              percentile(first, 0.50),
              removals.size(),
              percentile(removals, 0.50),
              percentile(removals, 0.99),
              percentile(
                  g.stream().map(RunMetrics::shareBefore).filter(Objects::nonNull).toList(), 0.5),
              percentile(
                  g.stream().map(RunMetrics::shareAfter).filter(Objects::nonNull).toList(), 0.5),
              g.stream().mapToInt(RunMetrics::falseEjections).sum(),
              g.stream().mapToInt(RunMetrics::changesPerFault).max().orElse(0)));
    }
    return out;
  }

  /**
   * Nearest-rank percentile; null without values. Over 5 runs, p99 is the slowest run, an estimate
   * of about the 83rd percentile of the run-to-run spread, not of the 99th.
   */
  static @Nullable Double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static List<String> markdown(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "| scenario | system | runs | recall | reaction p50 (s) | reaction p99 (s) |"
            + " first proxy p50 (s) | removal p50 / p99 (s) | faulty share before → after |"
            + " false ejections | changes per fault (max) |");
    lines.add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
    for (Row r : rows) {
      lines.add(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %s | %s | %s | %s | %s → %s | %d | %s |",
              r.scenario(),
              r.system(),
              r.runs(),
              r.recall() == null
                  ? "n/a"
                  : String.format(
                      Locale.ROOT,
                      "%.0f %% (%d/%d)",
                      r.recall() * 100,
                      r.detected(),
                      r.faultRuns()),
              seconds(r.reactionP50()),
              seconds(r.reactionP99()),
              seconds(r.firstProxyP50()),
              r.faultRuns() == 0
                  ? "n/a"
                  : r.removed() < r.detected()
                      ? String.format(
                          Locale.ROOT,
                          "%s / %s (%d of %d)",
                          seconds(r.removalP50()),
                          seconds(r.removalP99()),
                          r.removed(),
                          r.detected())
                      : seconds(r.removalP50()) + " / " + seconds(r.removalP99()),
              percent(r.shareBefore()),
              percent(r.shareAfter()),
              r.falseEjections(),
              r.faultRuns() == 0 ? "n/a" : String.valueOf(r.maxChangesPerFault())));
    }
    return lines;
  }

  static String seconds(@Nullable Double s) {
    return s == null ? "–" : String.format(Locale.ROOT, "%.2f", s);
  }

  static String percent(@Nullable Double share) {
    return share == null ? "–" : String.format(Locale.ROOT, "%.1f %%", share * 100);
  }
}
