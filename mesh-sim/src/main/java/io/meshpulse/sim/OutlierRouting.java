package io.meshpulse.sim;

import io.meshpulse.sim.model.Outcome;
import io.meshpulse.sim.model.ResponseFlag;
import io.meshpulse.sim.model.WeightedPicker;
import io.meshpulse.sim.outlier.OutlierDetectionConfig;
import io.meshpulse.sim.outlier.OutlierDetector;
import io.meshpulse.sim.outlier.OutlierEvent;
import io.meshpulse.sim.scenario.EndpointSpec;
import io.meshpulse.sim.scenario.ServiceSpec;
import io.meshpulse.sim.xds.ClusterRoute;
import io.meshpulse.sim.xds.ServiceRoute;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * One proxy's routing when it runs Envoy's outlier detection instead of following a control plane:
 * each service it calls is one whole-service cluster {@code outbound|<port>||<service>} over all
 * the scenario's endpoints (named as Istio names it when no route splits by subset; the baseline's
 * best case, since per-subset clusters of 2-4 hosts could eject nothing at max_ejection_percent
 * 10), with one {@link OutlierDetector} each, at outlier_detection.proto's defaults. Istio itself
 * sets outlier detection only from a DestinationRule, and then never enforces success rate. Ejected
 * hosts get no traffic unless the cluster panics (healthy share below the panic threshold). The
 * detector's interval timer starts at a random phase per proxy, as proxies start at different
 * times.
 */
final class OutlierRouting {
  private final Map<String, ServiceSpec> services;
  private final Map<String, OutlierDetector> detectors = new LinkedHashMap<>();
  private final double panicPercent;
  private final long intervalMs;
  private long nextIntervalMs;

  OutlierRouting(
      OutlierDetectionConfig config,
      List<ServiceSpec> calls,
      double panicPercent,
      long startMs,
      SplittableRandom random) {
    this.services = new LinkedHashMap<>();
    this.panicPercent = panicPercent;
    this.intervalMs = config.interval().toMillis();
    this.nextIntervalMs = startMs + random.nextLong(intervalMs);
    for (ServiceSpec s : calls) {
      services.put(s.name(), s);
      detectors.put(
          s.name(),
          new OutlierDetector(
              config, s.endpoints().stream().map(EndpointSpec::hostPort).toList(), random.split()));
    }
  }

  static String clusterName(ServiceSpec svc) {
    return "outbound|" + svc.port() + "||" + svc.name();
  }

  /** The route to a service given its detector's current ejections. */
  ServiceRoute route(String service) {
    ServiceSpec svc = services.get(service);
    OutlierDetector d = detectors.get(service);
    List<String> all = d.hosts();
    Set<String> ejected = d.ejectedHosts();
    List<String> healthy = all.stream().filter(h -> !ejected.contains(h)).toList();
    boolean panic = healthy.isEmpty() || 100.0 * healthy.size() / all.size() < panicPercent;
    List<String> chosen = panic ? all : healthy;
    long[] weights = new long[chosen.size()];
    Arrays.fill(weights, 1);
    ClusterRoute cluster =
        new ClusterRoute(clusterName(svc), "", new WeightedPicker<>(chosen, weights), panic);
    return new ServiceRoute(
        service, new WeightedPicker<>(List.of(cluster), new long[] {1}), Map.of());
  }

  /** Reports a response to the detector of {@code service}; returns the ejections it caused. */
  List<OutlierEvent> onResponse(String service, String host, Outcome outcome, long nowMs) {
    Integer status = statusForDetector(outcome);
    if (status == null) {
      return List.of();
    }
    return detectors.get(service).onResponse(host, status, nowMs);
  }

  /** Runs the interval sweep of every detector when due; returns (service, event) pairs. */
  List<Map.Entry<String, OutlierEvent>> onTick(long nowMs) {
    List<Map.Entry<String, OutlierEvent>> out = new ArrayList<>();
    while (nowMs >= nextIntervalMs) {
      nextIntervalMs += intervalMs;
      detectors.forEach((s, d) -> d.onInterval(nowMs).forEach(e -> out.add(Map.entry(s, e))));
    }
    return out;
  }

  /**
   * What Envoy's router reports to the outlier detector: the HTTP status, a gRPC status mapped to
   * HTTP (13 INTERNAL → 500, 14 UNAVAILABLE → 503, 4 DEADLINE_EXCEEDED → 504) as the router maps
   * one that arrives in the response headers (a trailers-only reply, the usual form of a gRPC
   * error; a status in trailers after a message reaches the detector as 200), a connection failure
   * as 503 (split_external_local_origin_errors false). Nothing for replies Envoy generates without
   * a host answering: circuit-breaker overflow (UO) and no healthy upstream (UH).
   */
  static @Nullable Integer statusForDetector(Outcome o) {
    if (o.flag() == ResponseFlag.UPSTREAM_OVERFLOW
        || o.flag() == ResponseFlag.NO_HEALTHY_UPSTREAM) {
      return null;
    }
    if (o.flag() == ResponseFlag.UPSTREAM_CONNECTION_FAILURE) {
      return 503;
    }
    if (o.grpcStatus() >= 0) {
      return switch (o.grpcStatus()) {
        case 0 -> 200;
        case 4 -> 504;
        case 13 -> 500;
        case 14 -> 503;
        default -> 500;
      };
    }
    return o.httpStatus();
  }
}
