package io.meshpulse.xds.api;

import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/overrides}: pin {@code weight} or {@code eject} one endpoint of a
 * cluster (service), with a reason for the audit trail.
 *
 * @param endpoint {@code "<address>:<port>"}
 */
public record OverrideRequest(
    @Nullable String cluster,
    @Nullable String endpoint,
    @Nullable Integer weight,
    @Nullable Boolean eject,
    @Nullable String reason) {}
