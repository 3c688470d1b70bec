package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointAction;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ShiftChange;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionLineTest {

  @Test
  void aChange_carriesTheVerdictAndTheHealthRecordsReasons() {
    RoutingDecision decision =
        RoutingDecision.newBuilder()
            .setCluster("details")
            .setDecidedUnixMillis(3_723_456L)
            .addEndpointChanges(
                EndpointChange.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress("10.0.0.2").setPort(9302))
                    .setAction(EndpointAction.ENDPOINT_ACTION_REWEIGHT)
                    .setOldWeight(100)
                    .setNewWeight(75)
                    .addReasons("DEGRADED score=0.78 confidence=0.68")
                    .addReasons("p99 61 ms = 2.1× peers' median (29 ms)")
                    .addReasons("40 of 194 requests slower than the peers' median p99"))
            .build();
    assertThat(DecisionLine.of(decision))
        .as("line")
        .isEqualTo(
            "01:02:03.456 details reweight 10.0.0.2:9302 weight 100->75 (DEGRADED score=0.78"
                + " confidence=0.68: p99 61 ms = 2.1× peers' median (29 ms); 40 of 194 requests"
                + " slower than the peers' median p99)");
  }

  @Test
  void aShiftThatMovedNoWeight_isNamed() {
    RoutingDecision decision =
        RoutingDecision.newBuilder()
            .setCluster("reviews")
            .setDecidedUnixMillis(3_723_456L)
            .addReasons("mode NORMAL")
            .addShiftChanges(
                ShiftChange.newBuilder()
                    .setRef("health:reviews/v3")
                    .setFromSubset("v3")
                    .setToSubset("v1")
                    .setRemainingPercent(0))
            .build();
    assertThat(DecisionLine.of(decision))
        .as("line")
        .isEqualTo("01:02:03.456 reviews shift health:reviews/v3 v3->v1 keeps 0 %");
    RoutingDecision again =
        decision.toBuilder()
            .setShiftChanges(0, decision.getShiftChanges(0).toBuilder().setReaffirmed(true))
            .build();
    assertThat(DecisionLine.of(again))
        .as("the same shift written again")
        .isEqualTo(
            "01:02:03.456 reviews shift health:reviews/v3 v3->v1 keeps 0 % (unchanged, written"
                + " again)");
  }

  @Test
  void reasons_andAbbreviation() {
    assertThat(DecisionLine.reasons(List.of())).as("none").isEmpty();
    assertThat(DecisionLine.reasons(List.of("HEALTHY score=1.00 confidence=0.98")))
        .as("only the verdict")
        .isEqualTo("(HEALTHY score=1.00 confidence=0.98)");
    assertThat(DecisionLine.abbreviate("short", 10)).as("short line").isEqualTo("short");
    assertThat(DecisionLine.abbreviate("0123456789abc", 10))
        .as("long line")
        .isEqualTo("012345678…")
        .hasSize(10);
  }
}
