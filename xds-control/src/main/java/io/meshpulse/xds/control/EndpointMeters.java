package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Per-endpoint gauges: weight, ejected (0/1), ejection refused by a guardrail (0/1), health score
 * and p99 latency, tagged cluster/subset/endpoint; and the age of the newest health record, which
 * the stale-data alert watches.
 *
 * <p>Each endpoint's gauges are registered when it is first served and removed when it no longer
 * is; an evaluation only sets the values they read. (Registering every row again on each
 * evaluation, as an overwriting {@code MultiGauge} does, took most of the policy loop's time with
 * 10,000 endpoints.) The score and p99 gauges exist only while the policy judges the endpoint's
 * record fresh.
 */
final class EndpointMeters {
  private final MeterRegistry registry;
  private final Clock clock;
  // Touched only by the policy loop thread; the gauges' values are read by the scrapes.
  private final Map<Key, Gauges> byEndpoint = new HashMap<>();
  private long generation;
  private volatile @Nullable Instant lastRecordAt;

  // An endpoint id hashes the topology's strings, whose hashes are cached: no string is built.
  private record Key(EndpointId id, String subset) {}

  EndpointMeters(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    Gauge.builder("meshpulse.health.last.record.age", this, EndpointMeters::lastRecordAgeSeconds)
        .description("seconds since the newest health record; NaN before the first")
        .baseUnit("seconds")
        .register(registry);
  }

  void update(RoutingTable intended, HealthTable health) {
    lastRecordAt = health.lastRecordAt();
    long current = ++generation;
    int served = 0;
    for (ServiceRouting service : intended.services().values()) {
      for (EndpointRouting r : service.endpoints()) {
        Key key = new Key(r.id(), r.subset());
        Gauges gauges = byEndpoint.computeIfAbsent(key, Gauges::new);
        // The score is NaN unless the policy judged the record fresh; p99 follows it.
        double p99 = Double.NaN;
        if (!Double.isNaN(r.score())) {
          Optional<HealthObservation> obs = health.get(r.id());
          p99 = obs.map(o -> o.record().getP99Millis()).orElse(Double.NaN);
        }
        gauges.set(r.weight(), r.ejected(), r.ejectionRefused(), r.score(), p99);
        if (gauges.generation != current) {
          gauges.generation = current;
          served++;
        }
      }
    }
    if (byEndpoint.size() > served) {
      byEndpoint
          .values()
          .removeIf(
              g -> {
                if (g.generation == current) {
                  return false;
                }
                g.remove();
                return true;
              });
    }
  }

  /** One endpoint's gauges and the values they read. */
  private final class Gauges {
    private final Tags tags;
    private final Gauge weightGauge;
    private final Gauge ejectedGauge;
    private final Gauge refusedGauge;
    private @Nullable Gauge scoreGauge;
    private @Nullable Gauge p99Gauge;
    private volatile double weight;
    private volatile double ejected;
    private volatile double refused;
    private volatile double score = Double.NaN;
    private volatile double p99 = Double.NaN;
    long generation;

    Gauges(Key key) {
      tags =
          Tags.of(
              "cluster",
              key.id().service(),
              "subset",
              key.subset(),
              "endpoint",
              key.id().hostPort());
      weightGauge =
          Gauge.builder("meshpulse.endpoint.weight", this, g -> g.weight)
              .description("load-balancing weight served")
              .tags(tags)
              .strongReference(true)
              .register(registry);
      ejectedGauge =
          Gauge.builder("meshpulse.endpoint.ejected", this, g -> g.ejected)
              .description("1 when ejected")
              .tags(tags)
              .strongReference(true)
              .register(registry);
      refusedGauge =
          Gauge.builder("meshpulse.endpoint.ejection.refused", this, g -> g.refused)
              .description(
                  "1 when the policy wants it ejected but max-ejection-percent or the panic"
                      + " threshold keeps it in")
              .tags(tags)
              .strongReference(true)
              .register(registry);
    }

    void set(int weight, boolean ejected, boolean refused, double score, double p99) {
      this.weight = weight;
      this.ejected = ejected ? 1 : 0;
      this.refused = refused ? 1 : 0;
      this.score = score;
      this.p99 = p99;
      if (Double.isNaN(score) != (scoreGauge == null)) {
        scoreGauge =
            scoreGauge == null
                ? Gauge.builder("meshpulse.endpoint.health.score", this, g -> g.score)
                    .description("latest fresh health score")
                    .tags(tags)
                    .strongReference(true)
                    .register(registry)
                : removed(scoreGauge);
      }
      if (Double.isNaN(p99) != (p99Gauge == null)) {
        p99Gauge =
            p99Gauge == null
                ? Gauge.builder("meshpulse.endpoint.p99", this, g -> g.p99)
                    .description("p99 latency of the latest fresh health record")
                    .baseUnit("milliseconds")
                    .tags(tags)
                    .strongReference(true)
                    .register(registry)
                : removed(p99Gauge);
      }
    }

    void remove() {
      registry.remove(weightGauge);
      registry.remove(ejectedGauge);
      registry.remove(refusedGauge);
      if (scoreGauge != null) {
        scoreGauge = removed(scoreGauge);
      }
      if (p99Gauge != null) {
        p99Gauge = removed(p99Gauge);
      }
    }

    private @Nullable Gauge removed(Gauge gauge) {
      registry.remove(gauge);
      return null;
    }
  }

  private double lastRecordAgeSeconds() {
    Instant last = lastRecordAt;
    if (last == null) {
      return Double.NaN;
    }
    return Math.max(0, clock.millis() - last.toEpochMilli()) / 1000.0;
  }
}
