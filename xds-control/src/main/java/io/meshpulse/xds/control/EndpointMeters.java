package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RoutingTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Per-endpoint gauges: weight, ejected (0/1), health score and p99 latency, tagged
 * cluster/subset/endpoint; and the age of the newest health record, which the stale-data alert
 * watches.
 */
final class EndpointMeters {
  private final Clock clock;
  private final MultiGauge weight;
  private final MultiGauge ejected;
  private final MultiGauge score;
  private final MultiGauge p99;
  private volatile @Nullable Instant lastRecordAt;

  EndpointMeters(MeterRegistry registry, Clock clock) {
    this.clock = clock;
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
    p99 =
        MultiGauge.builder("meshpulse.endpoint.p99")
            .description("p99 latency of the latest fresh health record")
            .baseUnit("milliseconds")
            .register(registry);
    Gauge.builder("meshpulse.health.last.record.age", this, EndpointMeters::lastRecordAgeSeconds)
        .description("seconds since the newest health record; NaN before the first")
        .baseUnit("seconds")
        .register(registry);
  }

  void update(RoutingTable intended, HealthTable health) {
    lastRecordAt = health.lastRecordAt();
    List<MultiGauge.Row<?>> w = new ArrayList<>();
    List<MultiGauge.Row<?>> e = new ArrayList<>();
    List<MultiGauge.Row<?>> s = new ArrayList<>();
    List<MultiGauge.Row<?>> p = new ArrayList<>();
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
                // The score is NaN unless the policy judged the record fresh; p99 follows it.
                if (!Double.isNaN(r.score())) {
                  s.add(MultiGauge.Row.of(tags, r.score()));
                  Optional<HealthObservation> obs = health.get(r.id());
                  obs.ifPresent(o -> p.add(MultiGauge.Row.of(tags, o.record().getP99Millis())));
                }
              }
            });
    weight.register(w, true);
    ejected.register(e, true);
    score.register(s, true);
    p99.register(p, true);
  }

  private double lastRecordAgeSeconds() {
    Instant last = lastRecordAt;
    if (last == null) {
      return Double.NaN;
    }
    return Math.max(0, clock.millis() - last.toEpochMilli()) / 1000.0;
  }
}
