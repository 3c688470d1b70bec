package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.EndpointSpec;
import org.jspecify.annotations.Nullable;

/** One endpoint during one evaluation. */
final class Slot {
  final EndpointId id;
  final String subset;
  final EndpointSpec spec;
  final EndpointState prev;
  final Signal signal;
  final @Nullable EndpointOverride override;
  EndpointStatus desired = EndpointStatus.ACTIVE;
  boolean dwellBlocked;
  @Nullable String refusal;

  Slot(
      EndpointId id,
      String subset,
      EndpointSpec spec,
      EndpointState prev,
      Signal signal,
      @Nullable EndpointOverride override) {
    this.id = id;
    this.subset = subset;
    this.spec = spec;
    this.prev = prev;
    this.signal = signal;
    this.override = override;
  }

  /** Manual ejections first, then endpoints already ejected, then new candidates. */
  int ejectionPriority() {
    if (override != null) {
      return 0;
    }
    return prev.status() == EndpointStatus.EJECTED ? 1 : 2;
  }
}
