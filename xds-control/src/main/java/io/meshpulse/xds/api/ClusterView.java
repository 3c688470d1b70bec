package io.meshpulse.xds.api;

import io.meshpulse.xds.control.LoopView;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.RoutingTable;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The JSON of {@code GET /api/v1/clusters}. */
public record ClusterView(
    boolean ready,
    @Nullable String xdsVersion,
    String mode,
    boolean dryRun,
    @Nullable String topologyError,
    List<Cluster> clusters) {

  public record Cluster(
      String cluster, int port, Map<String, Integer> subsetWeights, List<Endpoint> endpoints) {}

  public record Endpoint(
      String endpoint,
      String subset,
      int weight,
      int servedWeight,
      String status,
      String healthStatus,
      boolean ejected,
      boolean ejectionRefused,
      @Nullable Double score,
      List<String> reasons) {}

  static ClusterView of(LoopView view, boolean dryRun, @Nullable String topologyError) {
    RoutingTable served = view.served();
    List<Cluster> clusters =
        view.intended().services().values().stream()
            .map(
                s ->
                    new Cluster(
                        s.service().name(),
                        s.service().port(),
                        s.subsetWeights(),
                        s.endpoints().stream()
                            .map(e -> endpoint(e, servedWeight(served, e)))
                            .toList()))
            .toList();
    return new ClusterView(
        view.ready(),
        view.xdsVersion(),
        view.state().mode().name(),
        dryRun,
        topologyError,
        clusters);
  }

  private static int servedWeight(RoutingTable served, EndpointRouting e) {
    var s = served.services().get(e.id().service());
    if (s == null) {
      return 0;
    }
    return s.endpoints().stream()
        .filter(x -> x.id().equals(e.id()))
        .mapToInt(x -> x.ejected() ? 0 : x.weight())
        .findFirst()
        .orElse(0);
  }

  private static Endpoint endpoint(EndpointRouting e, int servedWeight) {
    return new Endpoint(
        e.id().hostPort(),
        e.subset(),
        e.weight(),
        servedWeight,
        e.status().name(),
        e.status().envoyHealthStatus(),
        e.ejected(),
        e.ejectionRefused(),
        Double.isNaN(e.score()) ? null : e.score(),
        e.reasons());
  }
}
