package io.meshpulse.xds.policy;

import org.jspecify.annotations.Nullable;

/**
 * An operator's pin of one endpoint: either a fixed weight or an ejection. Overrides bypass the
 * dwell time, the weight step bound and {@code maxEjectionPercent}, but never the panic threshold.
 *
 * @param weight the pinned weight, or {@code null} for an ejection
 */
public record EndpointOverride(
    String id, EndpointId endpoint, @Nullable Integer weight, String reason) {
  public static EndpointOverride pin(String id, EndpointId endpoint, int weight, String reason) {
    return new EndpointOverride(id, endpoint, weight, reason);
  }

  public static EndpointOverride eject(String id, EndpointId endpoint, String reason) {
    return new EndpointOverride(id, endpoint, null, reason);
  }

  public boolean ejects() {
    return weight == null;
  }
}
