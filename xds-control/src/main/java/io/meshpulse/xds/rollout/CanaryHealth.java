package io.meshpulse.xds.rollout;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RecordTime;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a canary subset from its endpoints' health records and its subset's service-health record
 * (key {@code <service>/<canary>}). A record counts when it is fresh (younger than {@code
 * staleAfter}), judged (not UNKNOWN) and, for endpoints, confident (at least {@code
 * minConfidence}). Endpoint scores are relative to the subset's own peers, so a canary failing as a
 * whole shows in the subset's record, which is scored against absolute limits.
 */
final class CanaryHealth {
  private final Duration staleAfter;
  private final double minConfidence;

  CanaryHealth(Duration staleAfter, double minConfidence) {
    this.staleAfter = staleAfter;
    this.minConfidence = minConfidence;
  }

  CanaryVerdict judge(
      RolloutSpec spec,
      Topology topology,
      HealthTable endpoints,
      Map<String, ServiceHealth> subsets,
      Instant now) {
    Optional<SubsetSpec> canary =
        topology.service(spec.service()).stream()
            .flatMap(s -> s.subsets().stream())
            .filter(s -> s.name().equals(spec.canary()))
            .findFirst();
    if (canary.isEmpty()) {
      return CanaryVerdict.unknown("the canary subset is not in the topology");
    }
    ServiceSpec service = topology.service(spec.service()).orElseThrow();
    List<String> problems = new ArrayList<>();
    List<String> facts = new ArrayList<>();
    List<EndpointHealth> judged = new ArrayList<>();
    for (EndpointSpec e : canary.get().endpoints()) {
      endpoints
          .get(EndpointId.of(service.name(), e))
          .filter(o -> counts(o, now))
          .map(HealthObservation::record)
          .ifPresent(judged::add);
    }
    if (!judged.isEmpty()) {
      long healthy =
          judged.stream().filter(h -> h.getState() == HealthState.HEALTH_STATE_HEALTHY).count();
      double mean = judged.stream().mapToDouble(EndpointHealth::getScore).average().orElse(1);
      String counts =
          String.format(
              Locale.ROOT,
              "%d/%d judged canary endpoints HEALTHY, mean score %.2f",
              healthy,
              judged.size(),
              mean);
      facts.add(counts);
      if (healthy * 100 < (long) spec.minHealthyPercent() * judged.size()) {
        EndpointHealth worst =
            judged.stream()
                .min(java.util.Comparator.comparingDouble(EndpointHealth::getScore))
                .orElseThrow();
        problems.add(
            String.format(
                Locale.ROOT,
                "%s (< %d %% HEALTHY); worst %s:%d %s score %.2f%s",
                counts,
                spec.minHealthyPercent(),
                worst.getEndpoint().getAddress(),
                worst.getEndpoint().getPort(),
                name(worst.getState()),
                worst.getScore(),
                worst.getReasonsCount() > 0 ? " (" + worst.getReasons(0) + ")" : ""));
      } else if (mean < spec.minScore()) {
        problems.add(String.format(Locale.ROOT, "%s (< min score %.2f)", counts, spec.minScore()));
      }
    }
    ServiceHealth subset = subsets.get(spec.key());
    boolean subsetJudged = subset != null && counts(subset, now);
    if (subsetJudged) {
      String fact =
          String.format(
              Locale.ROOT,
              "subset %s %s score %.2f",
              spec.canary(),
              name(subset.getState()),
              subset.getScore());
      facts.add(fact);
      if (subset.getScore() < spec.minScore()) {
        problems.add(
            String.format(Locale.ROOT, "%s (< min score %.2f)", fact, spec.minScore())
                + (subset.getReasonsCount() > 0 ? ": " + subset.getReasons(0) : ""));
      }
    }
    if (!problems.isEmpty()) {
      return CanaryVerdict.bad("canary health dropped: " + String.join("; ", problems));
    }
    if (judged.isEmpty() && !subsetJudged) {
      return CanaryVerdict.unknown(
          "no fresh judged health record of the canary's "
              + canary.get().endpoints().size()
              + " endpoints");
    }
    return CanaryVerdict.good("canary healthy: " + String.join(", ", facts));
  }

  private boolean counts(HealthObservation o, Instant now) {
    EndpointHealth h = o.record();
    return isJudged(h.getState())
        && h.getConfidence() >= minConfidence
        && fresh(o.observedAt(), now);
  }

  private boolean counts(ServiceHealth h, Instant now) {
    return isJudged(h.getState())
        && RecordTime.millis(h) > 0
        && fresh(Instant.ofEpochMilli(RecordTime.millis(h)), now);
  }

  private boolean fresh(Instant at, Instant now) {
    return Duration.between(at, now).compareTo(staleAfter) <= 0;
  }

  private static boolean isJudged(HealthState s) {
    return s == HealthState.HEALTH_STATE_HEALTHY
        || s == HealthState.HEALTH_STATE_DEGRADED
        || s == HealthState.HEALTH_STATE_UNHEALTHY;
  }

  private static String name(HealthState s) {
    return s.name().replace("HEALTH_STATE_", "");
  }
}
