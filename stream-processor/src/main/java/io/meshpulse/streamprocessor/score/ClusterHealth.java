package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;
import java.util.List;

/**
 * The verdicts of one cluster for one window: each endpoint (with its record key, {@code
 * RecordKeys.of(endpoint)}, at the same position), each subset and the whole cluster.
 */
public record ClusterHealth(
    List<EndpointHealth> endpoints, List<String> endpointKeys, List<ServiceHealth> services) {}
