package io.meshpulse.xds.control;

import io.meshpulse.xds.policy.PolicyState;
import io.meshpulse.xds.policy.RoutingTable;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** What the loop last computed, for the API. */
public record LoopView(
    RoutingTable intended,
    RoutingTable served,
    PolicyState state,
    @Nullable String xdsVersion,
    @Nullable Instant evaluatedAt,
    boolean ready) {
  static final LoopView INITIAL =
      new LoopView(RoutingTable.EMPTY, RoutingTable.EMPTY, PolicyState.INITIAL, null, null, false);
}
