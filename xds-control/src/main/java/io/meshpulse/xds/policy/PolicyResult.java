package io.meshpulse.xds.policy;

import java.util.List;

/**
 * The outcome of one evaluation.
 *
 * @param intended the routing the policy wants
 * @param served the routing to push: {@code intended}, or neutral routing in dry-run
 */
public record PolicyResult(
    PolicyState state,
    RoutingTable intended,
    RoutingTable served,
    List<ServiceDecision> decisions) {
  public PolicyResult {
    decisions = List.copyOf(decisions);
  }
}
