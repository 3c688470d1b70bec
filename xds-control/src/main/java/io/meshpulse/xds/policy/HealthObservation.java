package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.EndpointHealth;
import java.time.Instant;

/** The latest health record of an endpoint and when it was observed (emitted). */
public record HealthObservation(EndpointHealth record, Instant observedAt) {}
