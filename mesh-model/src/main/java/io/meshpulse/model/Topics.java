package io.meshpulse.model;

import java.util.List;

/** Default Kafka topic names. Every module lets the operator configure them. */
public final class Topics {
  /** One {@link io.meshpulse.model.v1.AccessRecord} per request or connection. */
  public static final String ACCESS_RECORDS = "mesh.access-records.v1";

  /** Per-node deltas of Envoy stats, {@link io.meshpulse.model.v1.ProxyStats}. */
  public static final String PROXY_STATS = "mesh.proxy-stats.v1";

  /** Latest {@link io.meshpulse.model.v1.EndpointHealth} per endpoint; compacted. */
  public static final String ENDPOINT_HEALTH = "mesh.endpoint-health.v1";

  /** Latest {@link io.meshpulse.model.v1.ServiceHealth} per cluster and subset; compacted. */
  public static final String SERVICE_HEALTH = "mesh.service-health.v1";

  /** Append-only audit trail of {@link io.meshpulse.model.v1.RoutingDecision}s. */
  public static final String ROUTING_DECISIONS = "mesh.routing-decisions.v1";

  /**
   * Operator overrides in force, {@link io.meshpulse.model.v1.RoutingOverride} per endpoint;
   * compacted, a tombstone when an override is removed.
   */
  public static final String ROUTING_OVERRIDES = "mesh.routing-overrides.v1";

  /**
   * Progressive rollouts and where each one is, {@link io.meshpulse.model.v1.RolloutRecord} per
   * canary subset; compacted, a tombstone when a rollout is removed.
   */
  public static final String ROLLOUTS = "mesh.rollouts.v1";

  /** Records the stream processor could not decode, with the reason in a header. */
  public static final String DEAD_LETTERS = "mesh.dead-letters.v1";

  /**
   * xds-control's leader lease: one partition and no records, only with leader election. Not in
   * {@link #ALL}: xds-control creates it when it needs it.
   */
  public static final String XDS_CONTROL_LEASE = "mesh.xds-control-lease.v1";

  /** Every topic of the platform, in data-flow order. */
  public static final List<String> ALL =
      List.of(
          ACCESS_RECORDS,
          PROXY_STATS,
          ENDPOINT_HEALTH,
          SERVICE_HEALTH,
          ROUTING_DECISIONS,
          ROUTING_OVERRIDES,
          ROLLOUTS,
          DEAD_LETTERS);

  /** Topics that keep only the latest record per key. */
  public static final List<String> COMPACTED =
      List.of(ENDPOINT_HEALTH, SERVICE_HEALTH, ROUTING_OVERRIDES, ROLLOUTS);

  private Topics() {}
}
