package io.meshpulse.xds.policy;

import io.meshpulse.model.v1.EndpointHealth;
import java.time.Instant;

/**
 * The latest health record of an endpoint and the time it speaks of (the end of its window), which
 * its age runs from.
 */
public record HealthObservation(EndpointHealth record, Instant observedAt) {}
