package io.meshpulse.xds.decision;

import io.meshpulse.model.v1.RoutingDecision;

/** Where routing decisions go: the in-memory log, Kafka, metrics. */
@FunctionalInterface
public interface DecisionSink {
  void accept(RoutingDecision decision);
}
