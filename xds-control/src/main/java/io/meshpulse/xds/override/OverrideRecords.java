package io.meshpulse.xds.override;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.RoutingOverride;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import java.time.Instant;
import java.util.Optional;

/** Maps operator overrides to and from their records on the overrides topic. Pure. */
public final class OverrideRecords {
  /** The highest weight an operator can pin, as the API accepts it. */
  static final int MAX_WEIGHT = 10_000;

  private OverrideRecords() {}

  /** The record's key: the endpoint's key, as the health topics use it. */
  public static String key(EndpointId endpoint) {
    return endpoint.key();
  }

  public static RoutingOverride toRecord(EndpointOverride o, Instant setAt) {
    RoutingOverride.Builder b =
        RoutingOverride.newBuilder()
            .setId(o.id())
            .setCluster(o.endpoint().service())
            .setEndpoint(
                Endpoint.newBuilder()
                    .setAddress(o.endpoint().address())
                    .setPort(o.endpoint().port()))
            .setEject(o.ejects())
            .setReason(o.reason())
            .setSetUnixMillis(setAt.toEpochMilli());
    if (o.weight() != null) {
      b.setWeight(o.weight());
    }
    return b.build();
  }

  /**
   * The override a record holds; empty when the record is not a valid one (no id, cluster or
   * endpoint, a port out of range, or not exactly one of a weight in [1, 10000] and an ejection).
   */
  public static Optional<EndpointOverride> fromRecord(RoutingOverride r) {
    Endpoint e = r.getEndpoint();
    if (r.getId().isBlank()
        || r.getCluster().isBlank()
        || e.getAddress().isBlank()
        || e.getPort() < 1
        || e.getPort() > 65_535
        || r.getEject() == r.hasWeight()) {
      return Optional.empty();
    }
    EndpointId id = new EndpointId(r.getCluster(), e.getAddress(), e.getPort());
    if (r.getEject()) {
      return Optional.of(EndpointOverride.eject(r.getId(), id, r.getReason()));
    }
    if (r.getWeight() < 1 || r.getWeight() > MAX_WEIGHT) {
      return Optional.empty();
    }
    return Optional.of(EndpointOverride.pin(r.getId(), id, r.getWeight(), r.getReason()));
  }
}
