package io.meshpulse.dashboards;

/**
 * Every PromQL query the dashboards use, defined once. Istio-standard metrics come from the
 * collector, {@code meshpulse_*} from the collector, xds-control and the Flink job. Requests are
 * counted from the side that picks the endpoint ({@code reporter=~"source|waypoint"}: the calling
 * sidecar, or an ambient-mode waypoint, as Istio's own dashboards count), which also sees
 * connection failures. A request fails when its response code is 5xx, or when it is a gRPC request
 * whose status is a server's failure, whatever its response flags: the definition of
 * meshpulse-rules.yml (docs/operations.md, "What counts as a failed request").
 */
final class Queries {
  private Queries() {}

  static final String CLIENT_SIDE = "reporter=~\"source|waypoint\"";
  static final String SERVICE = CLIENT_SIDE + ",destination_service_name=\"$service\"";

  /** The requests answered with a 5xx, gRPC or not. */
  static final String FAILED_5XX = "response_code=~\"5..\"";

  /**
   * The gRPC requests that failed with a server's status (UNKNOWN, DEADLINE_EXCEEDED,
   * RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE, DATA_LOSS: the health job's gRPC errors) and were
   * not answered with a 5xx, which {@link #FAILED_5XX} counts: gRPC answers its errors with 200.
   */
  static final String FAILED_GRPC =
      "response_code!~\"5..\",grpc_response_status=~\"2|4|8|13|14|15\"";

  static String requestRate(String selector, String by) {
    return "sum by (" + by + ") (" + requests(selector) + ")";
  }

  /**
   * The failed requests: the errors of the rules' {@code *:istio_request_errors:*}, the union of
   * two selections no series is in twice.
   */
  static String failedRate(String selector, String by) {
    return "sum by ("
        + by
        + ") ("
        + requests(selector + "," + FAILED_5XX)
        + " or "
        + requests(selector + "," + FAILED_GRPC)
        + ")";
  }

  private static String requests(String selector) {
    return "rate(istio_requests_total{" + selector + "}[$__rate_interval])";
  }

  /**
   * Failed over all requests. A group without a failed request has no error series, so the error
   * rate falls back to {@code 0 *} the request rate there: every group with traffic gets a ratio,
   * and a group that has only ever failed (no success series at all) still gets its 1.
   */
  static String errorRatio(String selector, String by) {
    return "("
        + failedRate(selector, by)
        + " or 0 * "
        + requestRate(selector, by)
        + ") / "
        + requestRate(selector, by);
  }

  static String successRatio(String selector, String by) {
    return "1 - (" + errorRatio(selector, by) + ")";
  }

  static String latencyQuantile(double q, String selector, String by) {
    return "histogram_quantile("
        + q
        + ", sum by (le, "
        + by
        + ") (rate(istio_request_duration_milliseconds_bucket{"
        + selector
        + "}[$__rate_interval])))";
  }

  static final String ENDPOINT_SCORE = "meshpulse_endpoint_health_score{cluster=~\"$cluster\"}";
  static final String ENDPOINT_WEIGHT = "meshpulse_endpoint_weight{cluster=~\"$cluster\"}";
  static final String ENDPOINT_EJECTED = "meshpulse_endpoint_ejected{cluster=~\"$cluster\"}";
  static final String ENDPOINT_EJECTION_REFUSED =
      "meshpulse_endpoint_ejection_refused{cluster=~\"$cluster\"}";
  static final String WORST_ENDPOINTS = "bottomk(10, meshpulse_endpoint_health_score)";
  static final String ENDPOINT_P99 = "meshpulse_endpoint_p99_milliseconds{cluster=~\"$cluster\"}";
  static final String DECISIONS = perMinute("meshpulse_decisions_total", "action");

  static String rate(String metric, String by) {
    return "sum by (" + by + ") (rate(" + metric + "[$__rate_interval]))";
  }

  static String rate(String metric) {
    return "sum(rate(" + metric + "[$__rate_interval]))";
  }

  /**
   * Events per minute, averaged over the rate window ({@code $__rate_interval}, at least four
   * scrapes). An {@code increase} over that window read as "per interval" would count one event in
   * every point whose window covers it, about four in a row.
   */
  static String perMinute(String metric, String by) {
    return "60 * " + rate(metric, by);
  }

  static String perMinute(String metric) {
    return "60 * " + rate(metric);
  }

  // Pipeline: the collector (Micrometer), the Flink job (Flink's Prometheus reporter; counters
  // are exported as gauges without _total) and xds-control (Micrometer).
  static final String COLLECTOR_RECEIVED =
      rate("meshpulse_collector_entries_received_total", "kind");
  static final String COLLECTOR_PRODUCED =
      rate("meshpulse_collector_records_produced_total", "topic");
  static final String BUFFER_FILL_RECORDS =
      "meshpulse_collector_buffer_records / meshpulse_collector_buffer_limit_records";
  static final String BUFFER_FILL_BYTES =
      "meshpulse_collector_buffer_bytes / meshpulse_collector_buffer_limit_bytes";
  static final String COLLECTOR_DROPS = rate("meshpulse_collector_records_dropped_total", "reason");
  static final String COLLECTOR_REJECTED =
      rate("meshpulse_collector_messages_malformed_total", "service, reason");
  static final String CARDINALITY_FOLDED =
      rate("meshpulse_collector_cardinality_overflow_total", "metric, label");
  static final String XDS_FILES_REFUSED =
      "max(meshpulse_topology_file_rejected) + max(meshpulse_routing_files_rejected)";

  static String produceLatency(double q) {
    return "histogram_quantile("
        + q
        + ", sum by (le) (rate(meshpulse_collector_produce_latency_seconds_bucket"
        + "[$__rate_interval])))";
  }

  private static final String FLINK_OPERATOR = "flink_taskmanager_job_task_operator_";
  static final String FLINK_RECORDS_BEHIND = "sum(" + FLINK_OPERATOR + "pendingRecords)";
  static final String FLINK_WATERMARK_LAG = "max(" + FLINK_OPERATOR + "watermarkLag)";
  static final String FLINK_LATE_RECORDS = rate(FLINK_OPERATOR + "meshpulse_late_records_dropped");
  static final String FLINK_LATE_RESULTS =
      rate(FLINK_OPERATOR + "meshpulse_late_window_results_dropped");
  static final String FLINK_TOO_OLD = rate(FLINK_OPERATOR + "meshpulse_records_too_old");

  /**
   * The job's build gauge: Flink puts the keys of its key-value groups (version, revision) into the
   * name as well as the labels.
   */
  static final String FLINK_BUILD_INFO = FLINK_OPERATOR + "meshpulse_version_revision_build_info";

  /** Instances of each component by the build they run; the job's subtasks count as one. */
  static final String BUILDS =
      "count by (component, version, revision) (meshpulse_build_info) or label_replace(count by"
          + " (version, revision) (max by (version, revision, job_id) ("
          + FLINK_BUILD_INFO
          + ")), \"component\", \"health-job\", \"\", \"\")";

  static final String FLINK_CHECKPOINTS_COMPLETED =
      perMinute("flink_jobmanager_job_numberOfCompletedCheckpoints");
  static final String FLINK_CHECKPOINTS_FAILED =
      perMinute("flink_jobmanager_job_numberOfFailedCheckpoints");
  static final String FLINK_CHECKPOINT_DURATION =
      "max(flink_jobmanager_job_lastCheckpointDuration)";

  static final String XDS_PUSHES = rate("meshpulse_xds_pushes_total", "type");
  static final String XDS_SLOWEST_PUSH = "max(meshpulse_xds_push_seconds_max)";
  static final String XDS_NACKS = rate("meshpulse_xds_nacks_total", "type");
  static final String XDS_EVALUATIONS = rate("meshpulse_xds_policy_evaluation_seconds_count");
  static final String XDS_SNAPSHOT_BUILDS = rate("meshpulse_xds_snapshot_builds_total");
  static final String XDS_EVALUATION_MEAN =
      rate("meshpulse_xds_policy_evaluation_seconds_sum")
          + " / "
          + rate("meshpulse_xds_policy_evaluation_seconds_count");
  static final String XDS_EVALUATION_SLOWEST = "max(meshpulse_xds_policy_evaluation_seconds_max)";
  static final String XDS_CONNECTED = "sum(meshpulse_xds_connected_proxies)";
  static final String XDS_REJECTING = "sum(meshpulse_xds_rejecting_streams)";
  static final String XDS_LEADING = "sum(meshpulse_xds_leader)";
  static final String HEALTH_DATA_AGE = "max(meshpulse_health_last_record_age_seconds)";
  static final String TLS_EXPIRES_IN =
      "min by (listener) (meshpulse_tls_certificate_expiry_timestamp_seconds) - time()";
}
