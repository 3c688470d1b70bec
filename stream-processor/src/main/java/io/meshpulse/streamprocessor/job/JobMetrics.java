package io.meshpulse.streamprocessor.job;

/**
 * Names of the job's own metrics, all in the operator metric group {@value #GROUP}. With Flink's
 * Prometheus reporter they appear as {@code flink_taskmanager_job_task_operator_meshpulse_<name>}.
 * Dashboards depend on these names.
 */
final class JobMetrics {
  static final String GROUP = "meshpulse";

  /** Access records read from Kafka (decoded or not). */
  static final String RECORDS_IN = "records_in";

  /** Records that could not be decoded and went to the dead-letter topic. */
  static final String DECODE_FAILURES = "decode_failures";

  /** Records dropped because their event time was too old or too far in the future. */
  static final String RECORDS_TOO_OLD = "records_too_old";

  static final String RECORDS_TOO_NEW = "records_too_new";

  /** Records without an upstream host (e.g. UH, no healthy upstream): not attributable. */
  static final String RECORDS_WITHOUT_ENDPOINT = "records_without_endpoint";

  /**
   * Records the destination's (server-side) proxy reported: the calling proxies report the same
   * requests, with the endpoint as the caller saw it, and only their view is scored.
   */
  static final String RECORDS_DESTINATION_REPORTED = "records_destination_reported";

  /** Endpoints given a tombstone after a window's length without a scored window. */
  static final String ENDPOINTS_FORGOTTEN = "endpoints_forgotten";

  /** Service records (cluster or subset) given a tombstone after a window's length without one. */
  static final String SERVICES_FORGOTTEN = "services_forgotten";

  /** Records that reached their windows after the watermark had closed them. */
  static final String LATE_RECORDS_DROPPED = "late_records_dropped";

  /** Window results that reached the cluster stage after their window was scored. */
  static final String LATE_RESULTS_DROPPED = "late_window_results_dropped";

  /**
   * Endpoints whose saved window state had another window.size or window.slide than the job's (a
   * restore after the settings changed): their state is dropped and refills within one window.
   */
  static final String WINDOW_STATES_RESET = "window_states_reset";

  /**
   * Endpoints scored in the latest window of each cluster of this subtask; a cluster without a
   * scored window for a window's length no longer counts.
   */
  static final String ENDPOINTS_TRACKED = "endpoints_tracked";

  /** Health records written, endpoint scores labelled by state. */
  static final String ENDPOINT_SCORES = "endpoint_scores";

  static final String SERVICE_SCORES = "service_scores";

  /**
   * 1 per subtask of the record gate, labelled {@value #VERSION_LABEL} and {@value #REVISION_LABEL}
   * with the build the job runs ({@link io.meshpulse.model.MeshpulseBuild}).
   */
  static final String BUILD_INFO = "build_info";

  static final String VERSION_LABEL = "version";
  static final String REVISION_LABEL = "revision";
  static final String STATE_LABEL = "state";

  private JobMetrics() {}
}
