package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;
import java.util.List;

/** The verdicts of one cluster for one window: each endpoint, each subset and the whole cluster. */
public record ClusterHealth(List<EndpointHealth> endpoints, List<ServiceHealth> services) {}
