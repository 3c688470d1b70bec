package io.meshpulse.xds.policy;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The routing of every service, in topology order. */
public record RoutingTable(Map<String, ServiceRouting> services) {
  public static final RoutingTable EMPTY = new RoutingTable(Map.of());

  public RoutingTable {
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
  }

  /**
   * The subsets with endpoints but none in rotation (every one ejected), as {@code service/subset}:
   * their clusters would panic if a route sent them traffic.
   */
  public Set<String> emptiedSubsets() {
    Set<String> emptied = new TreeSet<>();
    services.forEach(
        (name, routing) -> {
          Map<String, Boolean> inRotation = new HashMap<>();
          for (EndpointRouting e : routing.endpoints()) {
            inRotation.merge(e.subset(), !e.ejected() && e.weight() > 0, Boolean::logicalOr);
          }
          inRotation.forEach(
              (subset, any) -> {
                if (!any) {
                  emptied.add(name + '/' + subset);
                }
              });
        });
    return emptied;
  }
}
