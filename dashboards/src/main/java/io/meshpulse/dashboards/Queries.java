package io.meshpulse.dashboards;

/**
 * Every PromQL query the dashboards use, defined once. Istio-standard metrics come from the
 * collector, {@code meshpulse_*} from the collector, xds-control and the Flink job. Requests are
 * counted from the client side ({@code reporter="source"}), which also sees connection failures.
 */
final class Queries {
  private Queries() {}

  static final String SOURCE = "reporter=\"source\"";
  static final String SERVICE = SOURCE + ",destination_service_name=~\"$service\"";

  static String requestRate(String selector, String by) {
    return "sum by (" + by + ") (rate(istio_requests_total{" + selector + "}[$__rate_interval]))";
  }

  static String successRatio(String selector, String by) {
    return "sum by ("
        + by
        + ") (rate(istio_requests_total{"
        + selector
        + ",response_code!~\"5..\",response_flags=~\"-|\"}[$__rate_interval])) / "
        + requestRate(selector, by);
  }

  static String errorRatio(String selector, String by) {
    return "1 - (" + successRatio(selector, by) + ")";
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
  static final String WORST_ENDPOINTS = "bottomk(10, meshpulse_endpoint_health_score)";
  static final String DECISIONS =
      "sum by (action) (increase(meshpulse_decisions_total[$__rate_interval]))";
}
