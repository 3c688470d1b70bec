package io.meshpulse.xds.policy;

import static io.meshpulse.xds.policy.Fixtures.T0;
import static io.meshpulse.xds.policy.Fixtures.degraded;
import static io.meshpulse.xds.policy.Fixtures.ids;
import static io.meshpulse.xds.policy.Fixtures.table;
import static io.meshpulse.xds.policy.Fixtures.topology;
import static io.meshpulse.xds.policy.Fixtures.unhealthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.xds.decision.DecisionMapper;
import io.meshpulse.xds.topology.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decision log holds what a restart needs: the policy's state comes back from it. */
class PolicyRecoveryTest {
  private final PolicyConfig config = PolicyConfig.DEFAULTS;
  private final Fixtures.Runner run = new Fixtures.Runner(config, topology(5, "v1"));
  private final List<EndpointId> ids = ids(run.topology);
  private final List<RoutingDecision> log = new ArrayList<>();

  private void step(HealthTable health, Instant now) {
    run.step(health, now);
    run.last.decisions().forEach(d -> log.add(DecisionMapper.toRecord(d, now, "v", false)));
  }

  @Test
  void everyEndpointsStatusWeightDeadlineAndOffences_comeBackFromTheLog() {
    EndpointId ejected = ids.get(1);
    EndpointId ramping = ids.get(2);
    EndpointId weak = ids.get(3);
    Instant t = T0;
    step(table(ids, t, unhealthy(ramping, t)), t);
    t = t.plusSeconds(30);
    step(table(ids, t), t); // re-admitted at the ramp start
    t = t.plusSeconds(1);
    step(table(ids, t, unhealthy(ejected, t), degraded(weak, t)), t);
    t = t.plusSeconds(30);
    step(table(ids, t, unhealthy(ejected, t), degraded(weak, t)), t); // still bad: extended

    List<RoutingDecision> shuffled = new ArrayList<>(log);
    java.util.Collections.reverse(shuffled);
    PolicyState rebuilt = PolicyRecovery.rebuild(shuffled, run.topology, config);

    for (EndpointId id : List.of(ejected, ramping, weak)) {
      EndpointState want = run.state.endpoints().get(id);
      EndpointState got = rebuilt.endpoints().get(id);
      assertThat(got).as("rebuilt state of %s", id).isNotNull();
      assertThat(got.status()).as("status of %s", id).isEqualTo(want.status());
      assertThat(got.weight()).as("weight of %s", id).isEqualTo(want.weight());
      assertThat(got.offences()).as("offences of %s", id).isEqualTo(want.offences());
      assertThat(got.ejectedUntil()).as("deadline of %s", id).isEqualTo(want.ejectedUntil());
      assertThat(got.lastStepAt()).as("last step of %s", id).isEqualTo(want.lastStepAt());
    }
    assertThat(rebuilt.endpoints().get(ejected).ejectedUntil())
        .as("the extension at the first deadline is in the log")
        .isEqualTo(t.plusSeconds(30));
    assertThat(rebuilt.endpoints()).as("endpoints never changed are not named").hasSize(3);
  }

  @Test
  void anEndpointDegradedLongerThanTheReadBack_isWrittenAgain_andComesBackDegraded() {
    EndpointId weak = ids.get(3);
    Instant t = T0;
    // Degraded, down to its target weight in two steps, then DEGRADED records for 20 minutes.
    for (int i = 0; i < 4; i++) {
      step(table(ids, t, degraded(weak, t)), t);
      t = t.plusSeconds(1);
    }
    assertThat(run.routing(weak).weight()).as("at its target").isEqualTo(config.degradedWeight());
    Instant settled = t;
    for (; t.isBefore(settled.plus(java.time.Duration.ofMinutes(20))); t = t.plusSeconds(10)) {
      step(table(ids, t, degraded(weak, t)), t);
    }
    List<Instant> reaffirmed = new ArrayList<>();
    for (RoutingDecision d : log) {
      for (EndpointChange c : d.getEndpointChangesList()) {
        if (c.getAction() == io.meshpulse.model.v1.EndpointAction.ENDPOINT_ACTION_REAFFIRM) {
          assertThat(c.getNewPolicyStatus()).as("the state written").isEqualTo("DEGRADED");
          assertThat(c.getNewWeight()).as("the weight written").isEqualTo(config.degradedWeight());
          reaffirmed.add(Instant.ofEpochMilli(d.getDecidedUnixMillis()));
        }
      }
    }
    assertThat(reaffirmed)
        .as("written again every max-ejection-time, not at every evaluation")
        .containsExactly(
            settled.plusSeconds(300), settled.plusSeconds(600), settled.plusSeconds(900));

    // A restart reads the log back over max-ejection-time + offence-memory only.
    Instant restart = t;
    Instant since = restart.minus(PolicyRecovery.lookback(config));
    List<RoutingDecision> window =
        log.stream().filter(d -> d.getDecidedUnixMillis() >= since.toEpochMilli()).toList();
    assertThat(window).as("the window holds no change but the rewrites").isNotEmpty();
    EndpointState rebuilt =
        PolicyRecovery.rebuild(window, run.topology, config).endpoints().get(weak);
    assertThat(rebuilt).as("rebuilt").isNotNull();
    assertThat(rebuilt.status()).as("status").isEqualTo(EndpointStatus.DEGRADED);
    assertThat(rebuilt.weight()).as("weight").isEqualTo(config.degradedWeight());

    Fixtures.Runner second = new Fixtures.Runner(config, run.topology);
    second.state = PolicyRecovery.rebuild(window, run.topology, config);
    second.step(table(ids, restart, degraded(weak, restart)), restart);
    assertThat(second.routing(weak).weight())
        .as("served after the restart: no jump back to full weight")
        .isEqualTo(config.degradedWeight());
  }

  @Test
  void aRestartedPolicy_keepsAStaleEjectedEndpointOutUntilItsDeadline_thenRampsIt() {
    EndpointId bad = ids.get(2);
    step(table(ids, T0, unhealthy(bad, T0)), T0);
    // Restart 20 s later: the ejected endpoint had no traffic, so its record is stale.
    Instant restart = T0.plusSeconds(20);
    HealthTable staleBad = table(ids.subList(0, 2), restart, unhealthy(bad, T0));
    Fixtures.Runner second = new Fixtures.Runner(config, run.topology);
    second.state = PolicyRecovery.rebuild(log, run.topology, config);
    second.step(staleBad, restart);
    assertThat(second.routing(bad).status())
        .as("still ejected after the restart")
        .isEqualTo(EndpointStatus.EJECTED);
    assertThat(second.changes()).as("the restart changes nothing").isEmpty();

    Instant deadline = T0.plusSeconds(30);
    second.step(table(ids.subList(0, 2), deadline, unhealthy(bad, T0)), deadline);
    assertThat(second.routing(bad).status()).as("at its deadline").isEqualTo(EndpointStatus.ACTIVE);
    assertThat(second.routing(bad).weight())
        .as("re-admitted through the ramp, not at full weight")
        .isEqualTo(config.rampStartWeight());

    Fixtures.Runner fresh = new Fixtures.Runner(config, run.topology);
    fresh.step(staleBad, restart);
    assertThat(fresh.routing(bad).weight())
        .as("without the log, the stale ejected endpoint would get full weight at once")
        .isEqualTo(config.neutralWeight());
  }

  @Test
  void changesOfEndpointsTheTopologyNoLongerServes_andOlderRecords_areLeftOut() {
    EndpointId bad = ids.get(2);
    step(table(ids, T0, unhealthy(bad, T0)), T0);
    RoutingDecision old =
        log.get(0).toBuilder()
            .setEndpointChanges(
                0,
                log.get(0).getEndpointChanges(0).toBuilder()
                    .clearNewPolicyStatus()
                    .clearEjectedUntilUnixMillis())
            .build();
    Topology smaller = topology(2, "v1");
    assertThat(PolicyRecovery.rebuild(log, smaller, config).endpoints())
        .as("10.0.0.2 is no longer served")
        .isEmpty();
    assertThat(PolicyRecovery.rebuild(List.of(old), run.topology, config).endpoints())
        .as("a record without the policy status")
        .isEmpty();
    EndpointChange change = log.get(0).getEndpointChanges(0);
    assertThat(change.getNewPolicyStatus()).as("logged status").isEqualTo("EJECTED");
    assertThat(change.getOffences()).as("logged offences").isEqualTo(1);
    assertThat(change.getEjectedUntilUnixMillis())
        .as("logged deadline")
        .isEqualTo(T0.plusSeconds(30).toEpochMilli());
  }

  @Test
  void aShiftChangeNoVersionWrites_isSkipped_andTheRestIsStillRead() {
    io.meshpulse.model.v1.ShiftChange.Builder change =
        io.meshpulse.model.v1.ShiftChange.newBuilder()
            .setRef("health:reviews/v2")
            .setFromSubset("v2")
            .setToSubset("v1");
    RoutingDecision good =
        RoutingDecision.newBuilder()
            .setCluster("reviews")
            .setDecidedUnixMillis(T0.toEpochMilli())
            .addShiftChanges(change.setRemainingPercent(0))
            .build();
    RoutingDecision past =
        good.toBuilder()
            .setDecidedUnixMillis(T0.plusSeconds(1).toEpochMilli())
            .setShiftChanges(0, change.setRemainingPercent(-1)) // 4,294,967,295 on the wire
            .build();
    RoutingDecision oneSubset =
        good.toBuilder()
            .setDecidedUnixMillis(T0.plusSeconds(2).toEpochMilli())
            .setShiftChanges(0, change.setRemainingPercent(25).setToSubset("v2"))
            .build();
    assertThat(PolicyRecovery.shifts(List.of(good, past, oneSubset)))
        .as("shifts read back")
        .hasEntrySatisfying(
            "health:reviews/v2", l -> assertThat(l.shift().remainingPercent()).isZero());
  }
}
