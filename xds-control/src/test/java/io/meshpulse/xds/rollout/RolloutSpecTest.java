package io.meshpulse.xds.rollout;

import static io.meshpulse.xds.rollout.RolloutFixtures.ROUTES;
import static io.meshpulse.xds.rollout.RolloutFixtures.TOPOLOGY;
import static io.meshpulse.xds.rollout.RolloutFixtures.spec;
import static io.meshpulse.xds.rollout.RolloutFixtures.subset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.routing.RoutingConfig;
import io.meshpulse.xds.routing.RoutingFiles;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.Topology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutSpecTest {

  @Test
  void invalidValues_areRefusedNamingTheirProperty() {
    assertThatThrownBy(() -> spec().stepPercent(0).build())
        .as("step 0")
        .hasMessageStartingWith("step-percent:");
    assertThatThrownBy(() -> spec().maxPercent(40).stepPercent(50).build())
        .as("step above max")
        .hasMessageStartingWith("step-percent:");
    assertThatThrownBy(() -> spec().maxPercent(101).build())
        .as("max above 100")
        .hasMessageStartingWith("max-percent:");
    assertThatThrownBy(() -> spec().interval(Duration.ZERO).build())
        .as("zero interval")
        .hasMessageStartingWith("interval:");
    assertThatThrownBy(() -> spec().stable("v2").build())
        .as("stable = canary")
        .hasMessageStartingWith("stable:");
    assertThatThrownBy(() -> spec().minScore(1.5).build())
        .as("min score")
        .hasMessageStartingWith("min-score:");
    assertThatThrownBy(() -> spec().service(" ").build())
        .as("blank service")
        .hasMessageStartingWith("service:");
    for (String route : List.of("reviews", "/default", "reviews/", " reviews/default")) {
      assertThatThrownBy(() -> spec().route(route).build())
          .as("route '%s'", route)
          .hasMessageStartingWith("route: must be <virtual service>/<route>");
    }
  }

  @Test
  void aRolloutOnOneRoute_needsThatRoute_sendingToTheStableSubset() {
    RoutingFiles.Loaded loaded = RoutingFiles.parse("routes.yml", ROUTES, TOPOLOGY);
    assertThat(loaded.problems()).as("the routing file").isEmpty();
    RoutingConfig routing = loaded.config();

    assertThat(spec().route("reviews/default").build().problemIn(TOPOLOGY, routing))
        .as("the default route, which sends to v1")
        .isEmpty();
    assertThat(spec().build().problemIn(TOPOLOGY, RoutingConfig.EMPTY))
        .as("every route, without routing files")
        .isEmpty();
    assertThat(spec().route("reviews/main").build().problemIn(TOPOLOGY, routing))
        .as("a route the files lack")
        .hasValueSatisfying(
            p -> assertThat(p).startsWith("route: the routing configuration has no route"));
    assertThat(spec().route("reviews/testers").build().problemIn(TOPOLOGY, routing))
        .as("a route that sends nothing to the stable subset")
        .hasValueSatisfying(
            p -> assertThat(p).startsWith("route: route 'reviews/testers' sends nothing to"));
    assertThat(
            spec().service("ratings").route("reviews/default").build().problemIn(TOPOLOGY, routing))
        .as("the topology is checked first")
        .hasValueSatisfying(p -> assertThat(p).startsWith("service: "));
  }

  @Test
  void aRolloutOnOneRoute_shiftsThatRouteOnly_alsoWhenRolledBack() {
    Rollout progressing =
        new Rollout(
            spec().route("reviews/default").build(),
            RolloutState.PROGRESSING,
            25,
            RolloutFixtures.T0,
            "25 %",
            RolloutFixtures.T0);
    assertThat(progressing.toRouteShift().route()).as("progressing").isEqualTo("reviews/default");
    assertThat(progressing.toRouteShift().appliesTo("reviews/testers"))
        .as("the header route to the canary")
        .isFalse();
    Rollout rolledBack =
        new Rollout(
            spec().route("reviews/default").build(),
            RolloutState.ROLLED_BACK,
            0,
            RolloutFixtures.T0,
            "rolled back",
            RolloutFixtures.T0);
    assertThat(rolledBack.toRouteShift().appliesTo("reviews/testers"))
        .as("rolled back, the testers still reach the canary")
        .isFalse();
    Rollout everyRoute =
        new Rollout(
            spec().build(),
            RolloutState.PROGRESSING,
            25,
            RolloutFixtures.T0,
            "25 %",
            RolloutFixtures.T0);
    assertThat(everyRoute.toRouteShift().appliesTo("reviews/testers"))
        .as("without a route, every route")
        .isTrue();
  }

  @Test
  void aRolloutMustNameAServiceAndSubsetsOfTheTopology_withTheCanaryAtRouteWeightZero() {
    assertThat(spec().build().problemIn(TOPOLOGY)).as("valid").isEmpty();
    assertThat(spec().service("ratings").build().problemIn(TOPOLOGY))
        .as("unknown service")
        .hasValueSatisfying(p -> assertThat(p).startsWith("service: unknown service 'ratings'"));
    assertThat(spec().canary("v9").build().problemIn(TOPOLOGY))
        .as("unknown canary")
        .hasValueSatisfying(p -> assertThat(p).startsWith("subset: "));
    assertThat(spec().stable("v9").build().problemIn(TOPOLOGY))
        .as("unknown stable")
        .hasValueSatisfying(p -> assertThat(p).startsWith("stable: "));
    assertThat(spec().canary("v1").stable("v2").build().problemIn(TOPOLOGY))
        .as("a canary that already has route weight")
        .hasValueSatisfying(p -> assertThat(p).contains("has route weight 100"));
    Topology noStable =
        new Topology(
            List.of(
                new ServiceSpec(
                    "reviews",
                    9080,
                    ServiceProtocol.HTTP,
                    List.of(
                        subset("v1", 0, "10.0.1.1"),
                        subset("v2", 0, "10.0.2.1"),
                        subset("v3", 1, "10.0.3.1")))));
    assertThat(spec().build().problemIn(noStable))
        .as("a stable subset without route weight")
        .hasValueSatisfying(p -> assertThat(p).startsWith("stable: ").contains("route weight 0"));
  }
}
