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

  @Test
  void gauges_followEachEvaluation_andGoWithTheirEndpointOrItsFreshScore() {
    HealthTable health =
        HealthTable.of(
            Map.of(
                "reviews/10.0.0.1:80", observation("10.0.0.1", 42.5, NOW),
                "reviews/10.0.0.2:80", observation("10.0.0.2", 30, NOW)));
    meters.update(routing(0.9, 0.8), health);
    meters.update(
        table(
            endpoint("10.0.0.1", 0.2, 50, EndpointStatus.EJECTED),
            refused("10.0.0.2", Double.NaN, 100)),
        health);

    String text = registry.scrape();
    assertThat(text)
        .as("the second evaluation's values")
        .contains(series("weight", "10.0.0.1:80") + " 50.0")
        .contains(series("ejected", "10.0.0.1:80") + " 1.0")
        .contains(series("health_score", "10.0.0.1:80") + " 0.2")
        .contains(series("weight", "10.0.0.2:80") + " 100.0")
        .contains(series("ejected", "10.0.0.2:80") + " 0.0")
        .contains(series("ejection_refused", "10.0.0.1:80") + " 0.0")
        .contains(series("ejection_refused", "10.0.0.2:80") + " 1.0");
    assertThat(text)
        .as("no score nor p99 once the endpoint's record is not fresh")
        .doesNotContain(series("health_score", "10.0.0.2:80"))
        .doesNotContain(
            "meshpulse_endpoint_p99_milliseconds{cluster=\"reviews\","
                + "endpoint=\"10.0.0.2:80\"");

    meters.update(table(endpoint("10.0.0.2", 0.95, 100, EndpointStatus.ACTIVE)), health);

    text = registry.scrape();
    assertThat(text)
        .as("the fresh score is back")
        .contains(series("health_score", "10.0.0.2:80") + " 0.95")
        .contains(series("ejection_refused", "10.0.0.2:80") + " 0.0")
        .contains(
            "meshpulse_endpoint_p99_milliseconds{cluster=\"reviews\",endpoint=\"10.0.0.2:80\","
                + "subset=\"v1\"} 30.0");
    assertThat(text)
        .as("nothing left of the endpoint no longer served")
        .doesNotContain("endpoint=\"10.0.0.1:80\"");
  }

  private static String series(String gauge, String endpoint) {
    return "meshpulse_endpoint_"
        + gauge
        + "{cluster=\"reviews\",endpoint=\""
        + endpoint
        + "\",subset=\"v1\"}";
  }

  private static RoutingTable routing(double score1, double score2) {
    return table(
        endpoint("10.0.0.1", score1, 100, EndpointStatus.ACTIVE),
        endpoint("10.0.0.2", score2, 100, EndpointStatus.ACTIVE));
  }

  private static RoutingTable table(EndpointRouting... endpoints) {
    return new RoutingTable(
        Map.of("reviews", new ServiceRouting(REVIEWS, Map.of("v1", 1000), List.of(endpoints))));
  }

  private static EndpointRouting endpoint(
      String address, double score, int weight, EndpointStatus status) {
    return routing(address, score, weight, status, List.of(), false);
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

  /** An endpoint the policy wants ejected but a guardrail keeps in, degraded. */
  private static EndpointRouting refused(String address, double score, int weight) {
    return routing(address, score, weight, EndpointStatus.DEGRADED, List.of("guardrail"), true);
  }

  private static EndpointRouting routing(
      String address,
      double score,
      int weight,
      EndpointStatus status,
      List<String> reasons,
      boolean ejectionRefused) {
    return new EndpointRouting(
        new EndpointId("reviews", address, 80),
        "v1",
        LocalitySpec.NONE,
        weight,
        status,
        score,
        reasons,
        ejectionRefused);
  }
}
