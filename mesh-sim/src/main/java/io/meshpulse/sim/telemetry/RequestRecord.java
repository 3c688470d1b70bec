package io.meshpulse.sim.telemetry;

import io.meshpulse.sim.model.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * One simulated request, as the proxy logs it.
 *
 * @param upstreamHost {@code address:port}, null when no host was picked (no healthy upstream)
 * @param upstreamSubset the subset of the upstream host, empty when it has none
 */
public record RequestRecord(
    long startEpochMs,
    String service,
    int servicePort,
    boolean grpc,
    String cluster,
    @Nullable String upstreamHost,
    String upstreamSubset,
    Outcome outcome,
    long requestId) {}
