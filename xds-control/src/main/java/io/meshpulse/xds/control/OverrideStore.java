package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointOverride;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Operator overrides, by endpoint. Thread-safe; the loop reads a copy per evaluation. */
public final class OverrideStore {
  private final Map<EndpointId, EndpointOverride> overrides = new ConcurrentHashMap<>();

  public void put(EndpointOverride o) {
    overrides.put(o.endpoint(), o);
  }

  /**
   * Puts overrides read back at start, except on endpoints that already have one (set since).
   *
   * @return how many were put
   */
  public int restore(Collection<EndpointOverride> restored) {
    int put = 0;
    for (EndpointOverride o : restored) {
      if (overrides.putIfAbsent(o.endpoint(), o) == null) {
        put++;
      }
    }
    return put;
  }

  public Optional<EndpointOverride> remove(EndpointId id) {
    return Optional.ofNullable(overrides.remove(id));
  }

  public Map<EndpointId, EndpointOverride> snapshot() {
    return Map.copyOf(overrides);
  }
}
