package io.meshpulse.xds.policy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
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

  public Optional<HealthObservation> get(EndpointId id) {
    return Optional.ofNullable(byKey.get(id.key()));
  }
}
