package io.meshpulse.standalone;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshpulse.sim.SimulationReport;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The demo's JSON report. Fields are defined in the README; the simulator's own report, with every
 * per-endpoint series, is nested under {@code simulation}.
 *
 * @param recordsSent ALS entries the simulated proxies sent
 * @param recordsInKafka access records on mesh.access-records.v1 after the collector drained
 * @param recordsLost recordsSent − recordsInKafka, never negative
 * @param firstScoreChangeSeconds fault onset → the first DEGRADED/UNHEALTHY health record of a
 *     faulty endpoint arrives on mesh.endpoint-health.v1
 * @param reactionSeconds fault onset → every simulated proxy that calls the faulty service has
 *     applied a changed weight or ejection for the faulty endpoint
 * @param firstProxyReactionSeconds fault onset → the first proxy applied it
 * @param falseActions weight/status/route changes the proxies applied to endpoints with no fault
 * @param healthRecords endpoint health records read from mesh.endpoint-health.v1 during the run
 * @param notHealthyRecords of those, the DEGRADED and UNHEALTHY ones (of any endpoint)
 * @param decisions routing decisions on mesh.routing-decisions.v1 during the run
 * @param decisionLog the last 200 of them, one line each
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record DemoReport(
    String scenario,
    long recordsSent,
    long recordsInKafka,
    long recordsLost,
    @Nullable Long faultOnsetEpochMs,
    @Nullable Double firstScoreChangeSeconds,
    @Nullable Double reactionSeconds,
    @Nullable Double firstProxyReactionSeconds,
    long falseActions,
    @Nullable Double faultyTrafficShareBefore,
    @Nullable Double faultyTrafficShareAfter,
    long healthRecords,
    long notHealthyRecords,
    long decisions,
    List<String> decisionLog,
    double platformStartupSeconds,
    SimulationReport simulation) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the demo report", e);
    }
  }

  String summary() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "scenario            %s%n", scenario));
    out.append(
        String.format(
            Locale.ROOT,
            "telemetry           %d sent, %d in Kafka, %d lost; the proxies dropped %d and left"
                + " %d unsent%n",
            recordsSent,
            recordsInKafka,
            recordsLost,
            simulation.recordsDropped(),
            simulation.recordsUnsent()));
    out.append(String.format(Locale.ROOT, "platform ready in   %.1f s%n", platformStartupSeconds));
    if (faultOnsetEpochMs == null) {
      out.append("fault               none (null scenario)\n");
    } else {
      out.append(
          String.format(Locale.ROOT, "first score change  %s%n", seconds(firstScoreChangeSeconds)));
      out.append(
          String.format(
              Locale.ROOT,
              "proxies reacted     first %s, all %s after onset%n",
              seconds(firstProxyReactionSeconds),
              seconds(reactionSeconds)));
      out.append(
          String.format(
              Locale.ROOT,
              "faulty traffic      %s before -> %s after%n",
              percent(faultyTrafficShareBefore),
              percent(faultyTrafficShareAfter)));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "health records      %d, %d of them DEGRADED or UNHEALTHY%n",
            healthRecords,
            notHealthyRecords));
    out.append(String.format(Locale.ROOT, "false actions       %d%n", falseActions));
    out.append(String.format(Locale.ROOT, "routing decisions   %d%n", decisions));
    return out.toString();
  }

  private static String seconds(@Nullable Double s) {
    return s == null ? "never" : String.format(Locale.ROOT, "%.2f s", s);
  }

  private static String percent(@Nullable Double share) {
    return share == null ? "n/a" : String.format(Locale.ROOT, "%.1f %%", share * 100);
  }
}
