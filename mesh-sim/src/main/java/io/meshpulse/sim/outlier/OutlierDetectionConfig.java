package io.meshpulse.sim.outlier;

import java.time.Duration;

/**
 * Envoy's {@code envoy.config.cluster.v3.OutlierDetection} (api/envoy/config/cluster/v3/
 * outlier_detection.proto), the fields the simulated proxies implement. {@link #envoyDefaults()}
 * holds the proto's documented defaults:
 *
 * <ul>
 *   <li>{@code consecutive_5xx} 5, {@code enforcing_consecutive_5xx} 100;
 *   <li>{@code consecutive_gateway_failure} 5 (502, 503, 504 and connection failures), {@code
 *       enforcing_consecutive_gateway_failure} <b>0</b>: counted but never enforced by default
 *       (every gateway failure is a 5xx too, so consecutive 5xx ejects such a host anyway);
 *   <li>{@code interval} 10 s, {@code base_ejection_time} 30 s (× the host's number of ejections),
 *       {@code max_ejection_time} 300 s, {@code max_ejection_percent} 10;
 *   <li>{@code enforcing_success_rate} 100, {@code success_rate_minimum_hosts} 5, {@code
 *       success_rate_request_volume} 100 (per host per interval), {@code success_rate_stdev_factor}
 *       1900 (eject below mean − 1.9 σ);
 *   <li>{@code failure_percentage_threshold} 85, {@code failure_percentage_minimum_hosts} 5, {@code
 *       failure_percentage_request_volume} 50, {@code enforcing_failure_percentage} <b>0</b>: the
 *       failure-percentage detector is off unless enforced explicitly;
 *   <li>{@code split_external_local_origin_errors} false: connection failures count as 503.
 * </ul>
 *
 * <p>Enforcement values are percentages: the chance that a detected outlier is really ejected.
 */
public record OutlierDetectionConfig(
    int consecutive5xx,
    int enforcingConsecutive5xx,
    int consecutiveGatewayFailure,
    int enforcingConsecutiveGatewayFailure,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent,
    int enforcingSuccessRate,
    int successRateMinimumHosts,
    int successRateRequestVolume,
    int successRateStdevFactor,
    int failurePercentageThreshold,
    int enforcingFailurePercentage,
    int failurePercentageMinimumHosts,
    int failurePercentageRequestVolume) {

  public OutlierDetectionConfig {
    positive(consecutive5xx, "consecutive5xx");
    positive(consecutiveGatewayFailure, "consecutiveGatewayFailure");
    percent(enforcingConsecutive5xx, "enforcingConsecutive5xx");
    percent(enforcingConsecutiveGatewayFailure, "enforcingConsecutiveGatewayFailure");
    percent(maxEjectionPercent, "maxEjectionPercent");
    percent(enforcingSuccessRate, "enforcingSuccessRate");
    percent(failurePercentageThreshold, "failurePercentageThreshold");
    percent(enforcingFailurePercentage, "enforcingFailurePercentage");
    if (interval.toMillis() < 1 || baseEjectionTime.toMillis() < 1) {
      throw new IllegalArgumentException("interval and baseEjectionTime must be at least 1ms");
    }
    if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
      // As Envoy, which refuses such a cluster (only an unset max_ejection_time defaults to the
      // larger of 300 s and base_ejection_time).
      throw new IllegalArgumentException(
          "maxEjectionTime must not be below baseEjectionTime: "
              + maxEjectionTime
              + " < "
              + baseEjectionTime);
    }
    if (successRateMinimumHosts < 0
        || successRateRequestVolume < 1
        || successRateStdevFactor < 0
        || failurePercentageMinimumHosts < 0
        || failurePercentageRequestVolume < 1) {
      throw new IllegalArgumentException(
          "minimum hosts must not be negative, request volumes must be positive");
    }
  }

  /** This configuration with {@code enforcing_success_rate} set to {@code percent}. */
  public OutlierDetectionConfig withEnforcingSuccessRate(int percent) {
    return new OutlierDetectionConfig(
        consecutive5xx,
        enforcingConsecutive5xx,
        consecutiveGatewayFailure,
        enforcingConsecutiveGatewayFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        percent,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor,
        failurePercentageThreshold,
        enforcingFailurePercentage,
        failurePercentageMinimumHosts,
        failurePercentageRequestVolume);
  }

  /** The defaults of Envoy's outlier_detection.proto (see the class comment). */
  public static OutlierDetectionConfig envoyDefaults() {
    return new OutlierDetectionConfig(
        5,
        100,
        5,
        0,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(300),
        10,
        100,
        5,
        100,
        1900,
        85,
        0,
        5,
        50);
  }

  /** A copy with failure-percentage ejection enforced at {@code percent}. */
  public OutlierDetectionConfig withEnforcingFailurePercentage(int percent) {
    return new OutlierDetectionConfig(
        consecutive5xx,
        enforcingConsecutive5xx,
        consecutiveGatewayFailure,
        enforcingConsecutiveGatewayFailure,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        enforcingSuccessRate,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor,
        failurePercentageThreshold,
        percent,
        failurePercentageMinimumHosts,
        failurePercentageRequestVolume);
  }

  /** A copy with consecutive-gateway-failure ejection enforced at {@code percent}. */
  public OutlierDetectionConfig withEnforcingConsecutiveGatewayFailure(int percent) {
    return new OutlierDetectionConfig(
        consecutive5xx,
        enforcingConsecutive5xx,
        consecutiveGatewayFailure,
        percent,
        interval,
        baseEjectionTime,
        maxEjectionTime,
        maxEjectionPercent,
        enforcingSuccessRate,
        successRateMinimumHosts,
        successRateRequestVolume,
        successRateStdevFactor,
        failurePercentageThreshold,
        enforcingFailurePercentage,
        failurePercentageMinimumHosts,
        failurePercentageRequestVolume);
  }

  /** The ejection time of a host at this backoff (≥ 1; its number of ejections, bounded). */
  public Duration ejectionTime(int backoff) {
    Duration t = baseEjectionTime.multipliedBy(Math.max(1, backoff));
    return t.compareTo(maxEjectionTime) > 0 ? maxEjectionTime : t;
  }

  private static void positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
  }

  private static void percent(int v, String name) {
    if (v < 0 || v > 100) {
      throw new IllegalArgumentException(name + " must be in [0, 100], got " + v);
    }
  }
}
