package io.meshpulse.xds.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.EndpointStatus;
import io.meshpulse.xds.policy.HealthObservation;
import io.meshpulse.xds.policy.HealthTable;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointMetersTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final ServiceSpec REVIEWS =
      new ServiceSpec(
          "reviews",
          9080,
          ServiceProtocol.HTTP,
          List.of(
              new SubsetSpec(
                  "v1",
                  Map.of(),
                  1,
                  List.of(
                      new EndpointSpec("10.0.0.1", 80, LocalitySpec.NONE),
                      new EndpointSpec("10.0.0.2", 80, LocalitySpec.NONE)))));

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final EndpointMeters meters =
      new EndpointMeters(registry, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void lastRecordAge_isNaNBeforeTheFirstRecord_thenSecondsSinceTheNewest() {
    assertThat(registry.scrape())
        .as("exposition before any health record")
        .contains("meshpulse_health_last_record_age_seconds NaN");

    meters.update(
        routing(0.9, Double.NaN),
        HealthTable.of(
            Map.of(
                "reviews/10.0.0.1:80", observation("10.0.0.1", 42.5, NOW.minusSeconds(12)),
                "reviews/10.0.0.2:80", observation("10.0.0.2", 30, NOW.minusSeconds(40)))));

    assertThat(registry.scrape())
        .as("exposition after records 12 s and 40 s old")
        .contains("meshpulse_health_last_record_age_seconds 12.0");
  }

  @Test
  void p99_isExportedInMilliseconds_onlyForEndpointsWithAFreshScore() {
    meters.update(
        routing(0.9, Double.NaN),
        HealthTable.of(
            Map.of(
                "reviews/10.0.0.1:80", observation("10.0.0.1", 42.5, NOW),
                "reviews/10.0.0.2:80", observation("10.0.0.2", 30, NOW.minusSeconds(600)))));

    String text = registry.scrape();
    assertThat(text)
        .as("p99 of the endpoint with a fresh score")
        .contains(
            "meshpulse_endpoint_p99_milliseconds{cluster=\"reviews\",endpoint=\"10.0.0.1:80\","
                + "subset=\"v1\"} 42.5");
    assertThat(text)
        .as("no p99 for the endpoint whose record the policy found stale")
        .doesNotContain(
            "meshpulse_endpoint_p99_milliseconds{cluster=\"reviews\",endpoint=\"10.0.0.2:80\"");
  }

  private static RoutingTable routing(double score1, double score2) {
    return new RoutingTable(
        Map.of(
            "reviews",
            new ServiceRouting(
                REVIEWS,
                Map.of("v1", 1000),
                List.of(endpoint("10.0.0.1", score1), endpoint("10.0.0.2", score2)))));
  }

  private static EndpointRouting endpoint(String address, double score) {
    return new EndpointRouting(
        new EndpointId("reviews", address, 80),
        "v1",
        LocalitySpec.NONE,
        100,
        EndpointStatus.ACTIVE,
        score,
        List.of());
  }

  private static HealthObservation observation(String address, double p99, Instant at) {
    return new HealthObservation(
        EndpointHealth.newBuilder()
            .setCluster("reviews")
            .setEndpoint(Endpoint.newBuilder().setAddress(address).setPort(80))
            .setP99Millis(p99)
            .build(),
        at);
  }
}
