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
 * The health table the policy reads: the latest observation per endpoint key ({@code
 * <service>/<address>:<port>}) and when the pipeline last said anything at all.
 */
public record HealthTable(Map<String, HealthObservation> byKey, @Nullable Instant lastRecordAt) {
  public static final HealthTable EMPTY = new HealthTable(Map.of(), null);

  public HealthTable {
    byKey = Map.copyOf(byKey);
  }

  /** A table whose {@code lastRecordAt} is the newest observation in it. */
  public static HealthTable of(Map<String, HealthObservation> byKey) {
    Instant last =
        byKey.values().stream()
            .map(HealthObservation::observedAt)
            .max(Instant::compareTo)
            .orElse(null);
    return new HealthTable(byKey, last);
  }

  /**
   * The observations of the topology's endpoints only, looked up one key at a time: an evaluation
   * then costs in proportion to the topology it routes, not to every endpoint the health topic has
   * ever named.
   *
   * @param lookup the latest observation of a key, null for none
   * @param lastRecordAt when the pipeline last said anything, about any endpoint
   */
  public static HealthTable of(
      Topology topology,
      Function<String, @Nullable HealthObservation> lookup,
      @Nullable Instant lastRecordAt) {
    Map<String, HealthObservation> found = new HashMap<>();
    for (ServiceSpec service : topology.services()) {
      for (SubsetSpec subset : service.subsets()) {
        for (EndpointSpec endpoint : subset.endpoints()) {
          String key = EndpointId.of(service.name(), endpoint).key();
          HealthObservation observation = lookup.apply(key);
          if (observation != null) {
            found.put(key, observation);
          }
        }
      }
    }
    return new HealthTable(found, lastRecordAt);
  }

  public Optional<HealthObservation> get(EndpointId id) {
    return Optional.ofNullable(byKey.get(id.key()));
  }
}
