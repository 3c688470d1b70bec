package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.LocalitySpec;
import java.util.List;

/**
 * How one endpoint is served.
 *
 * @param score the health score of the latest fresh record, NaN when none
 * @param ejectionRefused the policy wants it ejected, but {@code max-ejection-percent} or the panic
 *     threshold keeps it in (served degraded)
 */
public record EndpointRouting(
    EndpointId id,
    String subset,
    LocalitySpec locality,
    int weight,
    EndpointStatus status,
    double score,
    List<String> reasons,
    boolean ejectionRefused) {
  public EndpointRouting {
    reasons = List.copyOf(reasons);
  }

  public boolean ejected() {
    return status == EndpointStatus.EJECTED;
  }
}
