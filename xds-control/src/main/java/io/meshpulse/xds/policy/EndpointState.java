package io.meshpulse.xds.policy;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the policy remembers about an endpoint between evaluations.
 *
 * @param since when the endpoint entered {@code status} (EPOCH: forever)
 * @param offences ejections not yet forgotten; the ejection time doubles with each
 * @param ejectedUntil when an automatic ejection ends; {@code null} when not ejected or pinned
 * @param lastStepAt when the weight last changed
 * @param suppressed an ejection was wanted but refused by a guardrail
 * @param escalated {@code status} was entered by getting worse (or is the initial state), so a
 *     further escalation may follow at once; after an improvement the dwell time applies to both
 *     directions, which keeps an endpoint from flipping back and forth
 * @param lastBadAt when a health record last asked to degrade or eject the endpoint ({@code null}:
 *     never); an improvement waits until none has for the dwell time
 * @param loggedAt when a change of the endpoint was last written to the decision log (EPOCH: never)
 */
public record EndpointState(
    EndpointStatus status,
    int weight,
    Instant since,
    int offences,
    @Nullable Instant ejectedUntil,
    Instant lastStepAt,
    boolean suppressed,
    boolean escalated,
    @Nullable Instant lastBadAt,
    Instant loggedAt) {

  static EndpointState neutral(PolicyConfig config) {
    return new EndpointState(
        EndpointStatus.ACTIVE,
        config.neutralWeight(),
        Instant.EPOCH,
        0,
        null,
        Instant.EPOCH,
        false,
        true,
        null,
        Instant.EPOCH);
  }

  /** This state, last written to the decision log at {@code at}. */
  EndpointState logged(Instant at) {
    return new EndpointState(
        status,
        weight,
        since,
        offences,
        ejectedUntil,
        lastStepAt,
        suppressed,
        escalated,
        lastBadAt,
        at);
  }
}
