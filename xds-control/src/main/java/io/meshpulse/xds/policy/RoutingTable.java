package io.meshpulse.xds.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The routing of every service, in topology order. */
public record RoutingTable(Map<String, ServiceRouting> services) {
  public static final RoutingTable EMPTY = new RoutingTable(Map.of());

  public RoutingTable {
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
  }
}
