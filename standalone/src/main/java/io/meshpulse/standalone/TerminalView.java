package io.meshpulse.standalone;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.sim.EndpointSnapshot;
import io.meshpulse.sim.Progress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** The demo's live screen: one row per endpoint and the latest decisions, redrawn each second. */
final class TerminalView {
  /** Decisions are cut to this many characters, so that the screen redraws in place. */
  private static final int DECISION_WIDTH = 160;

  private static final String CLEAR = "\u001b[H\u001b[2J";

  private TerminalView() {}

  static String render(
      String scenario,
      Progress progress,
      List<EndpointSnapshot> endpoints,
      Function<String, Optional<EndpointHealth>> health,
      List<String> decisions) {
    StringBuilder out = new StringBuilder(CLEAR);
    out.append(
        String.format(
            Locale.ROOT, "meshpulse demo - scenario %s%n%s%n%n", scenario, progress.line()));
    out.append(
        String.format(
            Locale.ROOT,
            "%-10s %-6s %-16s %7s %7s %8s %6s %-10s %7s %-9s%n",
            "SERVICE",
            "SUBSET",
            "ENDPOINT",
            "RPS",
            "ERR%",
            "P99 ms",
            "SCORE",
            "STATE",
            "WEIGHT",
            "STATUS"));
    for (EndpointSnapshot e : endpoints) {
      Optional<EndpointHealth> h = health.apply(e.endpoint());
      out.append(
          String.format(
              Locale.ROOT,
              "%-10s %-6s %-16s %7.0f %7.2f %8.1f %6s %-10s %7s %-9s%s%n",
              e.service(),
              e.subset(),
              e.endpoint(),
              e.rps(),
              e.errorRate() * 100,
              e.p99Ms(),
              h.map(x -> String.format(Locale.ROOT, "%.2f", x.getScore())).orElse("-"),
              h.map(x -> x.getState().name().replace("HEALTH_STATE_", "")).orElse("-"),
              e.weightMin() == e.weightMax() ? e.weightMin() : e.weightMin() + "-" + e.weightMax(),
              e.healthStatus(),
              e.faultActive() ? "  <- fault" : ""));
    }
    out.append("\nrecent routing decisions:\n");
    if (decisions.isEmpty()) {
      out.append("  (none yet)\n");
    }
    for (String d : decisions.subList(Math.max(0, decisions.size() - 8), decisions.size())) {
      out.append("  ").append(DecisionLine.abbreviate(d, DECISION_WIDTH)).append('\n');
    }
    return out.toString();
  }
}
