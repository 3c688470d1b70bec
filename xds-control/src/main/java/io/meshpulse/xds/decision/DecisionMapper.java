package io.meshpulse.xds.decision;

import io.meshpulse.model.v1.DecisionTrigger;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointChange;
import io.meshpulse.model.v1.RouteChange;
import io.meshpulse.model.v1.RoutingDecision;
import io.meshpulse.model.v1.ShiftChange;
import io.meshpulse.xds.policy.PolicyRecovery;
import io.meshpulse.xds.policy.RouteShift;
import io.meshpulse.xds.policy.RouteWeightChange;
import io.meshpulse.xds.policy.ServiceDecision;
import java.time.Instant;
import java.util.UUID;

/** Maps the policy's decisions to the {@link RoutingDecision} audit record. */
public final class DecisionMapper {
  private DecisionMapper() {}

  public static RoutingDecision toRecord(
      ServiceDecision d, Instant now, String xdsVersion, boolean dryRun) {
    RoutingDecision.Builder b =
        RoutingDecision.newBuilder()
            .setId(UUID.randomUUID().toString())
            .setCluster(d.service())
            .setDecidedUnixMillis(now.toEpochMilli())
            .setTrigger(d.trigger())
            .setTriggerRef(d.triggerRef())
            .addAllInputs(d.inputs())
            .setXdsVersion(dryRun ? "" : xdsVersion)
            .setDryRun(dryRun)
            .addAllReasons(d.reasons());
    for (io.meshpulse.xds.policy.EndpointChange c : d.endpointChanges()) {
      b.addEndpointChanges(
          EndpointChange.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder().setAddress(c.id().address()).setPort(c.id().port()))
              .setSubset(c.subset())
              .setAction(c.action())
              .setOldWeight(c.oldWeight())
              .setNewWeight(c.newWeight())
              .setOldStatus(c.oldStatus().envoyHealthStatus())
              .setNewStatus(c.newStatus().envoyHealthStatus())
              .addAllReasons(c.reasons())
              .setOldPolicyStatus(c.oldStatus().name())
              .setNewPolicyStatus(c.newStatus().name())
              .setEjectedUntilUnixMillis(
                  c.ejectedUntil() == null ? 0 : c.ejectedUntil().toEpochMilli())
              .setOffences(c.offences()));
    }
    for (RouteWeightChange r : d.routeChanges()) {
      b.addRouteChanges(
          RouteChange.newBuilder()
              .setRoute(r.route().isEmpty() ? d.service() : r.route())
              .setSubset(r.subset())
              .setOldWeight(r.oldWeight())
              .setNewWeight(r.newWeight()));
    }
    for (RouteShift s : d.shiftChanges()) {
      b.addShiftChanges(shiftChange(s));
    }
    return b.build();
  }

  /** The record of a route shift as it stands. */
  public static ShiftChange.Builder shiftChange(RouteShift s) {
    return ShiftChange.newBuilder()
        .setRef(s.ref())
        .setFromSubset(s.from())
        .setToSubset(s.to())
        .setRemainingPercent(s.remainingPercent())
        .setRoute(s.route())
        .setReason(s.reason());
  }

  /**
   * The decision that writes a subset shift again unchanged at {@code now} (trigger HEALTH): a
   * reaffirmed {@link ShiftChange} with the shift's state, so that a restart reading the log back
   * over less than the shift has lasted still finds it.
   */
  public static RoutingDecision reaffirmation(
      PolicyRecovery.LoggedShift held, Instant now, boolean dryRun) {
    RouteShift s = held.shift();
    return RoutingDecision.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setCluster(s.service())
        .setDecidedUnixMillis(now.toEpochMilli())
        .setTrigger(DecisionTrigger.DECISION_TRIGGER_HEALTH)
        .setTriggerRef(s.ref())
        .setDryRun(dryRun)
        .addReasons(
            "subset "
                + s.from()
                + " keeps "
                + s.remainingPercent()
                + " % since "
                + held.changedAt()
                + " ("
                + s.reason()
                + "), written again so that a restart finds it")
        .addShiftChanges(
            shiftChange(s)
                .setReaffirmed(true)
                .setHeldSinceUnixMillis(held.loweredAt().toEpochMilli())
                .setChangedUnixMillis(held.changedAt().toEpochMilli())
                .setOffences(held.offences()))
        .build();
  }
}
