package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.RoutingTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;

/** Per-endpoint gauges: weight, ejected (0/1) and health score, tagged cluster/subset/endpoint. */
final class EndpointMeters {
  private final MultiGauge weight;
  private final MultiGauge ejected;
  private final MultiGauge score;

  EndpointMeters(MeterRegistry registry) {
    weight =
        MultiGauge.builder("meshpulse.endpoint.weight")
            .description("load-balancing weight served")
            .register(registry);
    ejected =
        MultiGauge.builder("meshpulse.endpoint.ejected")
            .description("1 when ejected")
            .register(registry);
    score =
        MultiGauge.builder("meshpulse.endpoint.health.score")
            .description("latest fresh health score")
            .register(registry);
  }

  void update(RoutingTable intended) {
    List<MultiGauge.Row<?>> w = new ArrayList<>();
    List<MultiGauge.Row<?>> e = new ArrayList<>();
    List<MultiGauge.Row<?>> s = new ArrayList<>();
    intended
        .services()
        .values()
        .forEach(
            svc -> {
              for (EndpointRouting r : svc.endpoints()) {
                Tags tags =
                    Tags.of(
                        "cluster",
                        svc.service().name(),
                        "subset",
                        r.subset(),
                        "endpoint",
                        r.id().hostPort());
                w.add(MultiGauge.Row.of(tags, r.weight()));
                e.add(MultiGauge.Row.of(tags, r.ejected() ? 1 : 0));
                if (!Double.isNaN(r.score())) {
                  s.add(MultiGauge.Row.of(tags, r.score()));
                }
              }
            });
    weight.register(w, true);
    ejected.register(e, true);
    score.register(s, true);
  }
}
