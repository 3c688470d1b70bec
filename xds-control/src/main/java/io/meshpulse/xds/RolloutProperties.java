package io.meshpulse.xds;

import io.meshpulse.xds.rollout.RolloutSpec;
import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One progressive rollout declared in configuration, {@code meshpulse.xds.rollouts[i].*}: subset
 * {@code subset} of {@code service} is the canary, {@code stable} gives it traffic; see {@link
 * RolloutSpec} and docs/routing-policy.md.
 */
public record RolloutProperties(
    @DefaultValue("") String service,
    @DefaultValue("") String subset,
    @DefaultValue("") String stable,
    @DefaultValue("10") int stepPercent,
    @DefaultValue("5s") Duration interval,
    @DefaultValue("100") int maxPercent,
    @DefaultValue("0.8") double minScore,
    @DefaultValue("80") int minHealthyPercent,
    @DefaultValue("destination_service_name") String serviceLabel,
    @DefaultValue("destination_version") String subsetLabel,
    @DefaultValue("") String route) {

  RolloutSpec toSpec() {
    return RolloutSpec.builder()
        .service(service)
        .canary(subset)
        .stable(stable)
        .stepPercent(stepPercent)
        .interval(interval)
        .maxPercent(maxPercent)
        .minScore(minScore)
        .minHealthyPercent(minHealthyPercent)
        .serviceLabel(serviceLabel)
        .subsetLabel(subsetLabel)
        .route(route)
        .build();
  }

  /**
   * Validates every declared rollout, against the topology and the routing configuration too.
   *
   * @throws IllegalArgumentException naming the property, {@code meshpulse.xds.rollouts[i].<name>}
   */
  static List<RolloutSpec> toSpecs(
      List<RolloutProperties> declared, Topology topology, RoutingConfig routing) {
    List<RolloutSpec> result = new ArrayList<>();
    for (int i = 0; i < declared.size(); i++) {
      String prefix = "meshpulse.xds.rollouts[" + i + "].";
      RolloutSpec spec;
      try {
        spec = declared.get(i).toSpec();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(prefix + e.getMessage(), e);
      }
      String problem = spec.problemIn(topology, routing).orElse(null);
      if (problem != null) {
        throw new IllegalArgumentException(prefix + problem);
      }
      for (RolloutSpec other : result) {
        if (other.key().equals(spec.key())) {
          throw new IllegalArgumentException(
              prefix + "subset: a second rollout of canary " + spec.key());
        }
      }
      result.add(spec);
    }
    return result;
  }
}
