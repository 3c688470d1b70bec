package io.meshpulse.sim.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The xDS configuration a proxy has accepted, immutable: clusters (CDS), load assignments (EDS, or
 * inline in a cluster), route configurations (RDS, or inline in a listener).
 *
 * @param edsAssignments by ClusterLoadAssignment.cluster_name (the cluster's EDS service name)
 * @param inlineAssignments by cluster name, for clusters that carry their own load_assignment
 */
public record XdsState(
    Map<String, Cluster> clusters,
    Map<String, Assignment> edsAssignments,
    Map<String, Assignment> inlineAssignments,
    Map<String, RouteConfiguration> rdsRoutes,
    List<RouteConfiguration> inlineRoutes,
    Set<String> rdsNames) {

  public static final XdsState EMPTY =
      new XdsState(Map.of(), Map.of(), Map.of(), Map.of(), List.of(), Set.of());

  public XdsState {
    clusters = Map.copyOf(clusters);
    edsAssignments = Map.copyOf(edsAssignments);
    inlineAssignments = Map.copyOf(inlineAssignments);
    rdsRoutes = Map.copyOf(rdsRoutes);
    inlineRoutes = List.copyOf(inlineRoutes);
    rdsNames = Set.copyOf(rdsNames);
  }

  /** The EDS resource name of a cluster: eds_cluster_config.service_name, else the cluster name. */
  public static String edsName(Cluster c) {
    String serviceName = c.getEdsClusterConfig().getServiceName();
    return serviceName.isEmpty() ? c.getName() : serviceName;
  }

  /** The sorted EDS names to subscribe to: EDS clusters without an inline load assignment. */
  public Set<String> edsNames() {
    Set<String> out = new TreeSet<>();
    clusters.values().stream()
        .filter(c -> c.getType() == Cluster.DiscoveryType.EDS)
        .forEach(c -> out.add(edsName(c)));
    return out;
  }

  public Optional<Assignment> assignmentFor(String clusterName) {
    Assignment inline = inlineAssignments.get(clusterName);
    if (inline != null) {
      return Optional.of(inline);
    }
    Cluster c = clusters.get(clusterName);
    return c == null ? Optional.empty() : Optional.ofNullable(edsAssignments.get(edsName(c)));
  }

  /**
   * Every route configuration: accepted RDS resources that a listener refers to, then inline ones.
   */
  public List<RouteConfiguration> routes() {
    List<RouteConfiguration> out = new ArrayList<>();
    new TreeSet<>(rdsNames)
        .forEach(
            n -> {
              RouteConfiguration rc = rdsRoutes.get(n);
              if (rc != null) {
                out.add(rc);
              }
            });
    out.addAll(inlineRoutes);
    return out;
  }

  public XdsState withClusters(
      Map<String, Cluster> c, Map<String, Assignment> inline, Map<String, Assignment> eds) {
    return new XdsState(c, eds, inline, rdsRoutes, inlineRoutes, rdsNames);
  }

  public XdsState withEdsAssignments(Map<String, Assignment> eds) {
    return new XdsState(clusters, eds, inlineAssignments, rdsRoutes, inlineRoutes, rdsNames);
  }

  public XdsState withListeners(Set<String> names, List<RouteConfiguration> inline) {
    return new XdsState(clusters, edsAssignments, inlineAssignments, rdsRoutes, inline, names);
  }

  public XdsState withRdsRoutes(Map<String, RouteConfiguration> routes) {
    return new XdsState(
        clusters, edsAssignments, inlineAssignments, routes, inlineRoutes, rdsNames);
  }
}
