package io.meshpulse.dashboards;

import static io.meshpulse.dashboards.Queries.CLIENT_SIDE;
import static io.meshpulse.dashboards.Queries.SERVICE;

import java.util.List;

/** The dashboards meshpulse ships. */
final class MeshDashboards {
  private MeshDashboards() {}

  /**
   * One service: the service-detail panels sum over the selected service's series by version, so
   * several services at once would add their versions together.
   */
  static final Variable SERVICE_VAR =
      new Variable(
          "service",
          "Service",
          "istio_requests_total{" + Queries.CLIENT_SIDE + "}",
          "destination_service_name",
          false);

  /**
   * Read from the weight gauge, which xds-control exports for every endpoint it serves (the score
   * only while the endpoint's health record is fresh).
   */
  static final Variable CLUSTER_VAR =
      new Variable("cluster", "Cluster", "meshpulse_endpoint_weight", "cluster", true);

  /** The legend of a series per service: a service is its name in its namespace. */
  private static final String SERVICE_LEGEND =
      "{{destination_service_name}}.{{destination_service_namespace}}";

  static List<Dashboard> all() {
    return List.of(meshOverview(), serviceDetail(), endpointHealth(), pipeline());
  }

  static Dashboard meshOverview() {
    String by = "destination_service_name, destination_service_namespace";
    return new Dashboard(
        "meshpulse-mesh-overview",
        "meshpulse / Mesh overview",
        "Every service of the mesh from the clients' view: traffic, success and latency.",
        List.of(Variable.DATASOURCE),
        List.of(
            Panel.timeseries(
                "Request rate by service",
                "Requests per second to each destination service, as the calling proxies saw them.",
                "reqps",
                new Query(Queries.requestRate(CLIENT_SIDE, by), SERVICE_LEGEND)),
            Panel.timeseries(
                "Success rate by service",
                "Share of requests that did not fail; a request fails on a 5xx, or on a gRPC"
                    + " server error (UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL,"
                    + " UNAVAILABLE, DATA_LOSS) that gRPC answers with 200. A client that went away"
                    + " (code 0) and Envoy response flags alone do not count: a connection"
                    + " failure, timeout or overflow already answers 503/504.",
                "percentunit",
                new Query(Queries.successRatio(CLIENT_SIDE, by), SERVICE_LEGEND)),
            Panel.timeseries(
                "Latency by service (p50, p90, p99)",
                "Request duration quantiles per service from istio_request_duration_milliseconds.",
                "ms",
                new Query(Queries.latencyQuantile(0.5, CLIENT_SIDE, by), "p50 " + SERVICE_LEGEND),
                new Query(Queries.latencyQuantile(0.9, CLIENT_SIDE, by), "p90 " + SERVICE_LEGEND),
                new Query(Queries.latencyQuantile(0.99, CLIENT_SIDE, by), "p99 " + SERVICE_LEGEND)),
            Panel.table(
                "Top failing endpoints",
                "The ten endpoints with the lowest health score right now (1 = healthy, 0 ="
                    + " broken), computed by the Flink job from every proxy's view.",
                "none",
                new Query(Queries.WORST_ENDPOINTS, "{{cluster}} {{endpoint}}"))));
  }

  static Dashboard serviceDetail() {
    // The same service name may exist in several namespaces: kept apart, not added up.
    String by = "destination_service_namespace, destination_version";
    String versionLegend = "{{destination_version}} ({{destination_service_namespace}})";
    return new Dashboard(
        "meshpulse-service-detail",
        "meshpulse / Service detail",
        "One service per subset (version): canary against stable.",
        List.of(Variable.DATASOURCE, SERVICE_VAR),
        List.of(
            Panel.timeseries(
                "Request rate by version",
                "Requests per second to each version of the selected service: shows how traffic"
                    + " is split between stable and canary.",
                "reqps",
                new Query(Queries.requestRate(SERVICE, by), versionLegend)),
            Panel.timeseries(
                "Error ratio by version",
                "Share of failed requests per version: a 5xx, or a gRPC server error answered"
                    + " with 200 (UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL,"
                    + " UNAVAILABLE, DATA_LOSS); a client that went away (code 0) and Envoy"
                    + " response flags alone do not count. A canary far above stable is what the"
                    + " canary alert fires on.",
                "percentunit",
                new Query(Queries.errorRatio(SERVICE, by), versionLegend)),
            Panel.timeseries(
                "p99 latency by version",
                "99th percentile request duration per version of the selected service.",
                "ms",
                new Query(Queries.latencyQuantile(0.99, SERVICE, by), versionLegend)),
            Panel.timeseries(
                "Responses by code",
                "Requests per second by HTTP response code for the selected service.",
                "reqps",
                new Query(
                    Queries.requestRate(SERVICE, "destination_service_namespace, response_code"),
                    "{{response_code}} ({{destination_service_namespace}})"))));
  }

  static Dashboard endpointHealth() {
    return new Dashboard(
        "meshpulse-endpoint-health",
        "meshpulse / Endpoint health",
        "Per-endpoint health scores, the weights xds-control pushes, ejections and decisions.",
        List.of(Variable.DATASOURCE, CLUSTER_VAR),
        List.of(
            Panel.timeseries(
                "Health score",
                "Score of each endpoint of the selected cluster, 1 healthy to 0 broken, from the"
                    + " Flink job's peer comparison.",
                "none",
                new Query(Queries.ENDPOINT_SCORE, "{{endpoint}}")),
            Panel.timeseries(
                "Endpoint weight",
                "load_balancing_weight xds-control pushes to the proxies for each endpoint.",
                "none",
                new Query(Queries.ENDPOINT_WEIGHT, "{{endpoint}}")),
            Panel.timeseries(
                "Endpoint p99 latency",
                "99th percentile latency of each endpoint of the selected cluster over the health"
                    + " window, from every proxy's view; shown while its health record is fresh.",
                "ms",
                new Query(Queries.ENDPOINT_P99, "{{endpoint}}")),
            Panel.timeseries(
                "Ejected endpoints",
                "1 while xds-control keeps an endpoint out of rotation (health status UNHEALTHY).",
                "none",
                new Query(Queries.ENDPOINT_EJECTED, "{{endpoint}}")),
            Panel.timeseries(
                "Ejections refused by a guardrail",
                "1 while xds-control wants an endpoint ejected but max-ejection-percent or the"
                    + " panic threshold keeps it in, degraded: more of the service is unhealthy"
                    + " than it may take out.",
                "none",
                new Query(Queries.ENDPOINT_EJECTION_REFUSED, "{{endpoint}}")),
            Panel.timeseries(
                "Routing decisions",
                "Decisions xds-control made per minute by action, averaged over the rate window"
                    + " (at least four scrapes): one decision shows as a low step as wide as that"
                    + " window. Each one is also on the mesh.routing-decisions.v1 topic and at"
                    + " /api/v1/decisions.",
                "opm",
                new Query(Queries.DECISIONS, "{{action}}"))));
  }

  static Dashboard pipeline() {
    return new Dashboard(
        "meshpulse-pipeline",
        "meshpulse / Telemetry pipeline",
        "The health of meshpulse itself: collector ingest, Kafka, Flink and xDS.",
        List.of(Variable.DATASOURCE),
        List.of(
            Panel.timeseries(
                "Collector ingest",
                "Envoy entries the collector receives per second by kind (http, tcp, stats), and"
                    + " records Kafka acknowledged per second by topic.",
                "ops",
                new Query(Queries.COLLECTOR_RECEIVED, "received {{kind}}"),
                new Query(Queries.COLLECTOR_PRODUCED, "produced {{topic}}")),
            Panel.timeseries(
                "Collector buffer fill",
                "Records and bytes waiting for Kafka (queued plus unacknowledged) as a fraction"
                    + " of the soft limit; at 100 % the collector stops reading its gRPC streams.",
                "percentunit",
                new Query(Queries.BUFFER_FILL_RECORDS, "records {{instance}}"),
                new Query(Queries.BUFFER_FILL_BYTES, "bytes {{instance}}")),
            Panel.timeseries(
                "Dropped records by reason",
                "Records the collector dropped per second: buffer_hard_limit (a batch past the"
                    + " hard limit), kafka_rejected (a non-retriable Kafka error), sink_error (a"
                    + " record whose send failed unexpectedly 3 times), shutdown.",
                "ops",
                new Query(Queries.COLLECTOR_DROPS, "{{reason}}")),
            Panel.timeseries(
                "Rejected input by reason",
                "Messages and entries the collector rejected per second, by service (access_log,"
                    + " metrics) and reason: unparseable, missing_identifier, oversized,"
                    + " bad_frame (each closes its stream) and unmappable_entry (one entry"
                    + " skipped). Its log names the sender.",
                "ops",
                new Query(Queries.COLLECTOR_REJECTED, "{{service}} {{reason}}")),
            Panel.timeseries(
                "Istio metrics folded by the cardinality limit",
                "Samples per second whose label value went to 'other' (label _series: the whole"
                    + " series), by metric and label; no data until a limit is first passed.",
                "ops",
                new Query(Queries.CARDINALITY_FOLDED, "{{metric}} {{label}}")),
            Panel.timeseries(
                "Kafka produce latency",
                "Time from handing a record to the Kafka producer to its acknowledgement.",
                "s",
                new Query(Queries.produceLatency(0.5), "p50"),
                new Query(Queries.produceLatency(0.99), "p99")),
            Panel.timeseries(
                "Flink lag (records)",
                "Access records on Kafka the health job's source has not read yet.",
                "none",
                new Query(Queries.FLINK_RECORDS_BEHIND, "records behind")),
            Panel.timeseries(
                "Flink event-time lag",
                "Wall clock minus the health job's source watermark: how far behind real time"
                    + " the health windows close.",
                "ms",
                new Query(Queries.FLINK_WATERMARK_LAG, "watermark lag")),
            Panel.timeseries(
                "Flink late records",
                "Records per second the health job discarded: after their window closed,"
                    + " window results too late for scoring, and records older than the accepted"
                    + " age.",
                "ops",
                new Query(Queries.FLINK_LATE_RECORDS, "late records"),
                new Query(Queries.FLINK_LATE_RESULTS, "late window results"),
                new Query(Queries.FLINK_TOO_OLD, "too old")),
            Panel.timeseries(
                "Flink checkpoints",
                "Checkpoints of the health job completed and failed per minute, averaged over the"
                    + " rate window (at least four scrapes).",
                "opm",
                new Query(Queries.FLINK_CHECKPOINTS_COMPLETED, "completed"),
                new Query(Queries.FLINK_CHECKPOINTS_FAILED, "failed")),
            Panel.timeseries(
                "Flink checkpoint duration",
                "Duration of the health job's latest completed checkpoint.",
                "ms",
                new Query(Queries.FLINK_CHECKPOINT_DURATION, "last checkpoint")),
            Panel.timeseries(
                "xDS pushes",
                "Configuration responses per second from xds-control to the connected proxies,"
                    + " by resource type.",
                "ops",
                new Query(Queries.XDS_PUSHES, "{{type}}")),
            Panel.timeseries(
                "xDS push time",
                "Longest time, over the last two minutes, xds-control took to hand a new snapshot"
                    + " to every open watch.",
                "s",
                new Query(Queries.XDS_SLOWEST_PUSH, "slowest push")),
            Panel.timeseries(
                "Policy evaluations",
                "Policy evaluations per second (each health update asks for one, at most one per"
                    + " loop.min-interval) and how many of them changed what the proxies are"
                    + " served, so that new xDS resources were built.",
                "ops",
                new Query(Queries.XDS_EVALUATIONS, "evaluations"),
                new Query(Queries.XDS_SNAPSHOT_BUILDS, "snapshots built")),
            Panel.timeseries(
                "Policy evaluation time",
                "Mean and longest (last two minutes) time of one policy evaluation, publication"
                    + " included; it grows with the endpoints the topology serves. Raise"
                    + " loop.min-interval when the mean nears it.",
                "s",
                new Query(Queries.XDS_EVALUATION_MEAN, "mean"),
                new Query(Queries.XDS_EVALUATION_SLOWEST, "slowest")),
            Panel.timeseries(
                "xDS rejects (NACKs)",
                "Configuration a proxy refused, per second by resource type; anything above zero"
                    + " needs a look.",
                "ops",
                new Query(Queries.XDS_NACKS, "{{type}}")),
            Panel.stat(
                "Connected proxies",
                "Proxies with an open ADS stream to xds-control.",
                "none",
                new Query(Queries.XDS_CONNECTED, "proxies")),
            Panel.stat(
                "Streams on refused config",
                "ADS streams whose answer to the latest update of a type was a NACK: proxies"
                    + " still routing on the configuration they had before it. It falls when they"
                    + " accept a later version or disconnect.",
                "none",
                new Query(Queries.XDS_REJECTING, "streams")),
            Panel.stat(
                "Refused config files",
                "1 while xds-control refuses the latest version of its topology file or routing"
                    + " files and serves the last good one (2 when both); its log says why.",
                "none",
                new Query(Queries.XDS_FILES_REFUSED, "refused")),
            Panel.stat(
                "Health data age",
                "Seconds since xds-control received the newest health record; past the staleness"
                    + " timeout routing holds, then returns to neutral.",
                "s",
                new Query(Queries.HEALTH_DATA_AGE, "age")),
            Panel.stat(
                "TLS certificate expires in",
                "Time until the certificate each TLS listener (collector-grpc, xds-ads) serves to"
                    + " new connections expires; no data when the listeners run without TLS. The"
                    + " files are read again every minute, so a renewed secret shows within about"
                    + " two. MeshTlsCertificateExpiresSoon fires below 7 days.",
                "s",
                new Query(Queries.TLS_EXPIRES_IN, "{{listener}}")),
            Panel.stat(
                "xds-control instances leading",
                "xds-control instances that hold the leader lease and decide: 1 with or without a"
                    + " standby (an instance without leader election counts as leading). At 0 no"
                    + " instance decides and the proxies keep their last configuration;"
                    + " MeshXdsNoLeader pages after a minute. A standby takes the lease over within"
                    + " the lease duration (10 s by default) of a leader that died or lost Kafka.",
                "none",
                new Query(Queries.XDS_LEADING, "leading")),
            Panel.table(
                "Builds running",
                "Running instances of each component (collector, health job, xds-control) by the"
                    + " release and revision it was built from. Outside a rollout each component"
                    + " should show one row, and all of them one release: mixed builds can"
                    + " disagree on the record format.",
                "none",
                new Query(Queries.BUILDS, "{{component}} {{version}} {{revision}}"))));
  }
}
