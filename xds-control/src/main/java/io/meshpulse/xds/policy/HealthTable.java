package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The health table the policy reads: the latest observation per endpoint and when the pipeline last
 * said anything at all.
 */
public record HealthTable(Map<EndpointId, HealthObservation> byId, @Nullable Instant lastRecordAt) {
  public static final HealthTable EMPTY = new HealthTable(Map.of(), null);

  public HealthTable {
    byId = Map.copyOf(byId);
  }

  /**
   * A table of observations by record key ({@code <service>/<address>:<port>}) whose {@code
   * lastRecordAt} is the newest observation in it.
   *
   * @throws IllegalArgumentException for a key that names no endpoint
   */
  public static HealthTable of(Map<String, HealthObservation> byKey) {
    Map<EndpointId, HealthObservation> byId = new HashMap<>();
    byKey.forEach(
        (key, observation) -> {
          EndpointId id = EndpointId.parse(key);
          if (id == null) {
            throw new IllegalArgumentException("not an endpoint key: " + key);
          }
          byId.put(id, observation);
        });
    Instant last =
        byKey.values().stream()
            .map(HealthObservation::observedAt)
            .max(Instant::compareTo)
            .orElse(null);
    return new HealthTable(byId, last);
  }

  /**
   * The observations of the topology's endpoints only, looked up one key at a time: an evaluation
   * then costs in proportion to the topology it routes, not to every endpoint the health topic has
   * ever named.
   *
   * @param lookup the latest observation of an endpoint, null for none
   * @param lastRecordAt when the pipeline last said anything, about any endpoint
   */
  public static HealthTable of(
      Topology topology,
      Function<EndpointId, @Nullable HealthObservation> lookup,
      @Nullable Instant lastRecordAt) {
    // A HashMap keeps one entry for an endpoint a topology built in code names twice.
    Map<EndpointId, HealthObservation> found = new HashMap<>();
    for (ServiceSpec service : topology.services()) {
      for (SubsetSpec subset : service.subsets()) {
        for (EndpointSpec endpoint : subset.endpoints()) {
          EndpointId id = EndpointId.of(service.name(), endpoint);
          HealthObservation observation = lookup.apply(id);
          if (observation != null) {
            found.put(id, observation);
          }
        }
      }
    }
    return new HealthTable(found, lastRecordAt);
  }

  public Optional<HealthObservation> get(EndpointId id) {
    return Optional.ofNullable(byId.get(id));
  }
}
