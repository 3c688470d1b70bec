package io.meshpulse.standalone;

import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.RouteChange;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ShiftChange;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of the demo's decision log: per endpoint change, the verdict it acted on and the health
 * record's reasons ({@code (DEGRADED score=0.70 confidence=0.98: error rate 4.8 % vs peers ...)}),
 * so that a change nobody expected can be explained from the log alone.
 */
final class DecisionLine {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private DecisionLine() {}

  /** {@code (first: the rest; ...)}, or empty without reasons. */
  static String reasons(List<String> reasons) {
    if (reasons.isEmpty()) {
      return "";
    }
    String rest = String.join("; ", reasons.subList(1, reasons.size()));
    return "(" + reasons.get(0) + (rest.isEmpty() ? "" : ": " + rest) + ")";
  }

  /** {@code line} cut to {@code width} characters, ending in an ellipsis when cut. */
  static String abbreviate(String line, int width) {
    return line.length() <= width ? line : line.substring(0, width - 1) + "…";
  }

  static String of(RoutingDecision d) {
    List<String> parts = new ArrayList<>();
    for (EndpointChange c : d.getEndpointChangesList()) {
      parts.add(
          String.format(
              Locale.ROOT,
              "%s %s weight %d->%d %s",
              c.getAction().name().replace("ENDPOINT_ACTION_", "").toLowerCase(Locale.ROOT),
              RecordKeys.hostPort(c.getEndpoint()),
              c.getOldWeight(),
              c.getNewWeight(),
              reasons(c.getReasonsList())));
    }
    for (RouteChange r : d.getRouteChangesList()) {
      parts.add(
          String.format(
              Locale.ROOT,
              "route %s %s %d->%d",
              r.getRoute(),
              r.getSubset(),
              r.getOldWeight(),
              r.getNewWeight()));
    }
    if (d.getRouteChangesCount() == 0) {
      // A shift that moved no weight (its subset had none left): say which.
      for (ShiftChange c : d.getShiftChangesList()) {
        parts.add(
            String.format(
                Locale.ROOT,
                "shift %s %s->%s keeps %d %%%s",
                c.getRef(),
                c.getFromSubset(),
                c.getToSubset(),
                c.getRemainingPercent(),
                c.getReaffirmed() ? " (unchanged, written again)" : ""));
      }
    }
    if (parts.isEmpty() && d.getReasonsCount() > 0) {
      parts.add(d.getReasons(0));
    }
    return TIME.format(Instant.ofEpochMilli(d.getDecidedUnixMillis()))
        + " "
        + d.getCluster()
        + (d.getDryRun() ? " [dry-run] " : " ")
        + String.join("; ", parts);
  }
}
