package io.meshpulse.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.xds.policy.EndpointId;
import io.meshpulse.xds.policy.EndpointRouting;
import io.meshpulse.xds.policy.EndpointStatus;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.policy.RoutingTable;
import io.meshpulse.xds.policy.ServiceRouting;
import io.meshpulse.xds.routing.ServedRoutes;
import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XdsPublisherTest {
  private static final ServiceSpec REVIEWS =
      new ServiceSpec(
          "reviews",
          9080,
          ServiceProtocol.HTTP,
          List.of(
              new SubsetSpec(
                  "v1",
                  Map.of("version", "v1"),
                  100,
                  List.of(
                      new EndpointSpec("10.0.0.1", 9080, LocalitySpec.NONE),
                      new EndpointSpec("10.0.0.2", 9080, LocalitySpec.NONE)))));
  private static final PolicyConfig CONFIG = PolicyConfig.DEFAULTS;

  private final XdsMetrics metrics = new XdsMetrics(new SimpleMeterRegistry());
  private final XdsPublisher publisher = new XdsPublisher(metrics);

  @Test
  void aTableThatChangesOnlyScoresAndReasons_isNotBuiltAgain_andServesTheSameVersion() {
    String first = publisher.publish(table(0.97, "fine", 100, EndpointStatus.ACTIVE), CONFIG);
    String again = publisher.publish(table(0.91, "still fine", 100, EndpointStatus.ACTIVE), CONFIG);

    assertThat(again).isEqualTo(first);
    assertThat(metrics.snapshotBuilds().count()).as("builds").isEqualTo(1.0);
    assertThat(
            new XdsPublisher(new XdsMetrics(new SimpleMeterRegistry()))
                .publish(table(0.91, "still fine", 100, EndpointStatus.ACTIVE), CONFIG))
        .as("what a build of the second table would have served")
        .isEqualTo(first);
  }

  @Test
  void aWeightOrStatusChange_isBuiltAndServedAsANewVersion() {
    String neutral = publisher.publish(table(0.97, "fine", 100, EndpointStatus.ACTIVE), CONFIG);
    String reduced = publisher.publish(table(0.6, "slow", 50, EndpointStatus.DEGRADED), CONFIG);
    String ejected = publisher.publish(table(0.1, "failing", 50, EndpointStatus.EJECTED), CONFIG);
    String lowerPanic =
        publisher.publish(
            table(0.1, "failing", 50, EndpointStatus.EJECTED),
            ServedRoutes.EMPTY,
            CONFIG.toBuilder().panicThresholdPercent(30).build());

    assertThat(List.of(neutral, reduced, ejected, lowerPanic)).doesNotHaveDuplicates();
    assertThat(metrics.snapshotBuilds().count())
        .as("one build per change, the clusters' panic threshold included")
        .isEqualTo(4.0);
  }

  private static RoutingTable table(
      double score, String reason, int secondWeight, EndpointStatus secondStatus) {
    List<EndpointRouting> endpoints =
        List.of(
            endpoint("10.0.0.1", 100, EndpointStatus.ACTIVE, score, reason),
            endpoint("10.0.0.2", secondWeight, secondStatus, score, reason));
    return new RoutingTable(
        Map.of("reviews", new ServiceRouting(REVIEWS, Map.of("v1", 1000), endpoints)));
  }

  private static EndpointRouting endpoint(
      String address, int weight, EndpointStatus status, double score, String reason) {
    return new EndpointRouting(
        new EndpointId("reviews", address, 9080),
        "v1",
        LocalitySpec.NONE,
        weight,
        status,
        score,
        List.of(reason),
        false);
  }
}
