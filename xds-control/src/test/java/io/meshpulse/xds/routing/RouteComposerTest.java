package io.meshpulse.xds.routing;

import static io.meshpulse.xds.routing.RoutingFixtures.meshVs;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.RouteWeightChange;
import io.meshpulse.xds.policy.ServiceDecision;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Shifts change only the routes they apply to, and every change they make names its route. */
class RouteComposerTest {
  private static final RoutingConfig CONFIG =
      RoutingFixtures.valid(
          meshVs(
              """
              - name: beta-users
                match: [{headers: {x-beta: {exact: "1"}}}]
                route: [{destination: {host: reviews, subset: v2}}]
              - name: split
                route:
                  - destination: {host: reviews, subset: v1}
                    weight: 90
                  - destination: {host: reviews, subset: v2}
                    weight: 10
              """));

  private static List<String> weights(RouteComposer.Composition c, String route) {
    return c.served().weights().get(route).stream().map(d -> d.label() + "=" + d.weight()).toList();
  }

  @Test
  void withoutShifts_routesAreServedAsWritten_andNothingIsDecided() {
    RouteComposer composer = new RouteComposer();
    RouteComposer.Composition c = composer.compose(CONFIG, List.of(), false);
    assertThat(weights(c, "reviews/split")).as("split").containsExactly("v1=900", "v2=100");
    assertThat(weights(c, "reviews/beta-users")).as("beta").containsExactly("v2=1000");
    assertThat(composer.compose(CONFIG, List.of(), false).decisions()).as("decisions").isEmpty();
  }

  @Test
  void aShiftNamingARoute_changesOnlyThatRoute_andItsDecisionSaysWhichRoute() {
    RouteComposer composer = new RouteComposer();
    composer.compose(CONFIG, List.of(), false);
    RouteShift shift =
        new RouteShift("fp1", "reviews", "v2", "v1", 0, "alert CanaryBad firing", "reviews/split");

    RouteComposer.Composition c = composer.compose(CONFIG, List.of(shift), false);

    assertThat(weights(c, "reviews/split")).as("split").containsExactly("v1=1000", "v2=0");
    assertThat(weights(c, "reviews/beta-users"))
        .as("the route the shift does not name")
        .containsExactly("v2=1000");
    assertThat(c.decisions()).as("decisions").hasSize(1);
    ServiceDecision d = c.decisions().get(0);
    assertThat(d.trigger()).as("trigger").isEqualTo(DecisionTrigger.DECISION_TRIGGER_ALERT);
    assertThat(d.triggerRef()).as("ref").isEqualTo("fp1");
    assertThat(d.routeChanges())
        .as("route changes")
        .containsExactlyInAnyOrder(
            new RouteWeightChange("v1", 900, 1000, "reviews/split"),
            new RouteWeightChange("v2", 100, 0, "reviews/split"));
  }

  @Test
  void aShiftOfTheWholeService_movesWeightOnEveryRouteThatSendsTrafficToItsSubset() {
    RouteComposer composer = new RouteComposer();
    composer.compose(CONFIG, List.of(), false);
    RouteShift half = new RouteShift("fp2", "reviews", "v2", "v1", 50, "alert CanaryBad firing");

    RouteComposer.Composition c = composer.compose(CONFIG, List.of(half), false);

    assertThat(weights(c, "reviews/split")).as("split").containsExactly("v1=950", "v2=50");
    assertThat(weights(c, "reviews/beta-users"))
        .as("a destination the route lacked is added")
        .containsExactly("v2=500", "v1=500");
    assertThat(
            c.decisions().stream()
                .flatMap(d -> d.routeChanges().stream())
                .map(RouteWeightChange::route)
                .distinct())
        .as("routes named by the decisions")
        .containsExactlyInAnyOrder("reviews/split", "reviews/beta-users");
  }

  @Test
  void aRolloutShift_isARolloutDecision() {
    RouteComposer composer = new RouteComposer();
    composer.compose(CONFIG, List.of(), false);
    RouteShift rollout = new RouteShift("rollout:reviews/v2", "reviews", "v1", "v2", 70, "step");
    RouteComposer.Composition c = composer.compose(CONFIG, List.of(rollout), false);
    assertThat(weights(c, "reviews/split")).as("split").containsExactly("v1=630", "v2=370");
    assertThat(c.decisions().get(0).trigger())
        .as("trigger")
        .isEqualTo(DecisionTrigger.DECISION_TRIGGER_ROLLOUT);
  }

  @Test
  void inDryRun_theWrittenWeightsAreServed_butTheShiftIsStillReported() {
    RouteComposer composer = new RouteComposer();
    composer.compose(CONFIG, List.of(), true);
    RouteShift shift = new RouteShift("fp1", "reviews", "v2", "v1", 0, "x", "reviews/split");
    RouteComposer.Composition c = composer.compose(CONFIG, List.of(shift), true);
    assertThat(weights(c, "reviews/split")).as("served").containsExactly("v1=900", "v2=100");
    assertThat(c.decisions()).as("decisions").hasSize(1);
    assertThat(c.decisions().get(0).reasons())
        .as("reasons")
        .contains("dry-run: computed, not served");
  }

  @Test
  void aNewFileIsConfiguration_notADecision() {
    RouteComposer composer = new RouteComposer();
    composer.compose(CONFIG, List.of(), false);
    RoutingConfig edited =
        RoutingFixtures.valid(
            meshVs(
                """
                - name: split
                  route:
                    - destination: {host: reviews, subset: v1}
                      weight: 50
                    - destination: {host: reviews, subset: v2}
                      weight: 50
                """));
    RouteComposer.Composition c = composer.compose(edited, List.of(), false);
    assertThat(weights(c, "reviews/split")).as("served").containsExactly("v1=500", "v2=500");
    assertThat(c.decisions()).as("decisions").isEmpty();
  }

  @Test
  void anEmptiedSubsetsShare_goesToTheRoutesOtherDestinations_asAHealthDecision() {
    RouteComposer composer = new RouteComposer();
    composer.compose(CONFIG, List.of(), false, Set.of());

    RouteComposer.Composition c = composer.compose(CONFIG, List.of(), false, Set.of("reviews/v2"));

    assertThat(weights(c, "reviews/split"))
        .as("v2's 10 % to v1: its cluster would panic")
        .containsExactly("v1=1000", "v2=0");
    assertThat(weights(c, "reviews/beta-users"))
        .as("a route with no other destination keeps its weights")
        .containsExactly("v2=1000");
    assertThat(c.decisions()).as("decisions").hasSize(1);
    ServiceDecision d = c.decisions().get(0);
    assertThat(d.trigger()).as("trigger").isEqualTo(DecisionTrigger.DECISION_TRIGGER_HEALTH);
    assertThat(d.reasons())
        .as("reasons")
        .containsExactly(
            "route reviews/split",
            "every endpoint of subset v2 ejected: its share goes to the route's other"
                + " destinations");
    assertThat(d.routeChanges())
        .as("route changes")
        .containsExactlyInAnyOrder(
            new RouteWeightChange("v1", 900, 1000, "reviews/split"),
            new RouteWeightChange("v2", 100, 0, "reviews/split"));

    assertThat(weights(composer.compose(CONFIG, List.of(), false, Set.of()), "reviews/split"))
        .as("back in rotation: as written")
        .containsExactly("v1=900", "v2=100");
  }

  @Test
  void aShiftToAnEmptiedSubset_movesNothing() {
    RouteShift toV2 =
        new RouteShift("fp3", "reviews", "v1", "v2", 50, "rollout at 50 %", "reviews/split");
    RouteComposer composer = new RouteComposer();
    assertThat(
            weights(
                composer.compose(CONFIG, List.of(toV2), false, Set.of("reviews/v2")),
                "reviews/split"))
        .as("v2's cluster would panic: the split's written share of it goes to v1 too")
        .containsExactly("v1=1000", "v2=0");
    assertThat(weights(composer.compose(CONFIG, List.of(toV2), false, Set.of()), "reviews/split"))
        .as("v2 in rotation: the shift applies")
        .containsExactly("v1=450", "v2=550");
  }

  @Test
  void anEmptiedSubsetsShare_isSplitByTheOtherDestinationsWeights_keepingTheTotal() {
    List<WeightedDestination> written =
        List.of(
            new WeightedDestination("reviews", "v1", 500),
            new WeightedDestination("reviews", "v2", 300),
            new WeightedDestination("reviews", "v3", 200));

    assertThat(RouteComposer.avoidEmptied(written, Set.of("reviews/v3")))
        .as("v3 emptied")
        .containsExactly(
            new WeightedDestination("reviews", "v1", 625),
            new WeightedDestination("reviews", "v2", 375),
            new WeightedDestination("reviews", "v3", 0));
    assertThat(
            RouteComposer.avoidEmptied(
                List.of(
                    new WeightedDestination("reviews", "v1", 333),
                    new WeightedDestination("reviews", "v2", 333),
                    new WeightedDestination("reviews", "v3", 334)),
                Set.of("reviews/v1")))
        .as("v1 emptied: 499.25 and 500.75, rounded down, the rest to the last")
        .containsExactly(
            new WeightedDestination("reviews", "v1", 0),
            new WeightedDestination("reviews", "v2", 499),
            new WeightedDestination("reviews", "v3", 501));
    assertThat(
            RouteComposer.avoidEmptied(written, Set.of("reviews/v1", "reviews/v2", "reviews/v3")))
        .as("nowhere to go: as written")
        .isEqualTo(written);
    assertThat(RouteComposer.avoidEmptied(written, Set.of("ratings/v1")))
        .as("another service's subset")
        .isEqualTo(written);
  }

  @Test
  void aSubsetARouteSendsAllItsTrafficTo_isASoleDestination_evenAfterAShift() {
    assertThat(RouteComposer.routeDestinations(CONFIG, List.of()))
        .as("beta-users sends only to v2, split to both")
        .containsExactly(Set.of("reviews/v2"), Set.of("reviews/v1", "reviews/v2"));
    RouteShift toV1 =
        new RouteShift("fp1", "reviews", "v2", "v1", 0, "alert CanaryBad firing", "reviews/split");
    assertThat(RouteComposer.routeDestinations(CONFIG, List.of(toV1)))
        .as("the split shifted wholly to v1")
        .containsExactly(Set.of("reviews/v2"), Set.of("reviews/v1"));
  }
}
