package io.meshpulse.sim.xds;

import io.meshpulse.sim.model.WeightedPicker;
import org.jspecify.annotations.Nullable;

/**
 * Where requests routed to one cluster go.
 *
 * @param endpoints the {@code address:port} candidates and their weights; null when the cluster has
 *     no host to send to (Envoy answers 503 with flag UH)
 * @param panic whether the cluster is in Envoy's panic mode (too few healthy hosts: all get
 *     traffic)
 */
public record ClusterRoute(
    String cluster, String subset, @Nullable WeightedPicker<String> endpoints, boolean panic) {}
