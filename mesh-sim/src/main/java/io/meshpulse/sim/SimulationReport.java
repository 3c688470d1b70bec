package io.meshpulse.sim;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a simulation run did and how the control plane's pushes changed its traffic. Every field is
 * defined in {@code docs/simulator.md}; times are epoch milliseconds of the simulation's clock,
 * durations are seconds.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SimulationReport(
    String scenario,
    long seed,
    long startEpochMs,
    long endEpochMs,
    double durationSeconds,
    int proxies,
    boolean xds,
    long requests,
    long errors,
    long recordsSent,
    long recordsDropped,
    long recordsUnsent,
    long alsMessages,
    long alsStreamFailures,
    long metricsMessages,
    long xdsAcks,
    long xdsNacks,
    long xdsReconnects,
    List<Fault> faults,
    @Nullable String faultService,
    List<String> faultyEndpoints,
    @Nullable Long faultOnsetEpochMs,
    @Nullable Double firstProxyReactionSeconds,
    @Nullable Double allProxiesReactionSeconds,
    @Nullable Double allProxiesRemovalSeconds,
    int proxiesReacted,
    int proxiesCallingFaultService,
    long falseActions,
    long falseEndpointActions,
    long falseRouteActions,
    List<String> falseActionEndpoints,
    double shareWindowSeconds,
    @Nullable Double faultyTrafficShareBefore,
    @Nullable Double faultyTrafficShareAfter,
    @Nullable Long shareAfterWindowStartEpochMs,
    @Nullable Long shareAfterWindowEndEpochMs,
    Map<String, Long> noHealthyUpstream,
    List<EndpointChange> endpointChanges,
    List<RouteChange> routeChanges,
    List<EndpointSeries> endpoints) {

  /** One fault of the timeline as it ran. */
  public record Fault(
      String kind,
      String service,
      @Nullable String subset,
      List<String> endpoints,
      long onsetEpochMs,
      @Nullable Long endEpochMs) {}

  /** One endpoint's traffic, per second from the start of the run. */
  public record EndpointSeries(
      String service,
      String subset,
      String endpoint,
      boolean faulty,
      long requests,
      long errors,
      long[] requestsPerSecond,
      long[] errorsPerSecond) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report is not serialisable", e);
    }
  }

  public static SimulationReport fromJson(String json) {
    try {
      return JSON.readValue(json, SimulationReport.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a simulation report: " + e.getOriginalMessage(), e);
    }
  }

  /** A few lines for a terminal. */
  public String summary() {
    return String.format(
        "scenario=%s duration=%.1fs proxies=%d requests=%d errors=%d recordsSent=%d dropped=%d unsent=%d%n"
            + "xds: acks=%d nacks=%d reconnects=%d endpointChanges=%d routeChanges=%d%n"
            + "fault: onset=%s service=%s endpoints=%s%n"
            + "reaction: firstProxy=%s s allProxies=%s s (%d/%d proxies) removal=%s s"
            + " falseActions=%d%n"
            + "faulty traffic share: before=%s after=%s (window %.0fs)",
        scenario,
        durationSeconds,
        proxies,
        requests,
        errors,
        recordsSent,
        recordsDropped,
        recordsUnsent,
        xdsAcks,
        xdsNacks,
        xdsReconnects,
        endpointChanges.size(),
        routeChanges.size(),
        faultOnsetEpochMs,
        faultService,
        faultyEndpoints,
        fmt(firstProxyReactionSeconds),
        fmt(allProxiesReactionSeconds),
        proxiesReacted,
        proxiesCallingFaultService,
        fmt(allProxiesRemovalSeconds),
        falseActions,
        pct(faultyTrafficShareBefore),
        pct(faultyTrafficShareAfter),
        shareWindowSeconds);
  }

  private static String fmt(@Nullable Double d) {
    return d == null ? "-" : String.format("%.2f", d);
  }

  private static String pct(@Nullable Double d) {
    return d == null ? "-" : String.format("%.2f%%", d * 100);
  }
}
