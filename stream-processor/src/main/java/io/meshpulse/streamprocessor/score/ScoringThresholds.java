package io.meshpulse.streamprocessor.score;

import java.io.Serializable;

/**
 * Every number the score formula uses; docs/health-score.md explains each. Build with {@link
 * #builder()}; {@link Builder#build()} rejects values that would make the formula meaningless.
 *
 * @param minRequests below this many requests in the window an endpoint (or service) is UNKNOWN
 * @param minLatencyRequests below this many requests latency is not judged (p99 would be the max)
 * @param minRecentLatencyRequests below this many requests in the last slide, its median latency is
 *     not judged
 * @param z the z-score of the Wilson lower bound on a service's or subset's error rate (3 ≈ 99.7 %
 *     two-sided)
 * @param errorEvidence how much evidence (log-likelihood ratio in nats against the peers' rate) an
 *     endpoint's errors need before they count against it; a healthy endpoint reaches it with a
 *     chance of at most {@code e^-errorEvidence} per judgement
 * @param latencyEvidence how much evidence (log-likelihood ratio in nats) that more of the last
 *     slide's requests are slower than the peers' p90 than the peers' share a slide needs before
 *     its median and p90 are compared with the peers'
 * @param errorEstimateZ the z-score of the Wilson lower bound used as the cautious estimate of an
 *     endpoint's error rate once the evidence is there
 * @param errorRateFloor the lowest baseline error rate an endpoint is compared with, so that peers
 *     without a single error do not make one error decisive
 * @param errorExcessAtZero the error-rate excess over peers (lower bound minus peers' rate) at
 *     which the error part of the score reaches 0
 * @param latencyRatioTolerance p99 up to this multiple of the peers' median p99 costs nothing
 * @param latencyRatioAtZero the p99 multiple at which the latency part of the score reaches 0
 * @param minLatencyExcessMillis p99 differences smaller than this (in ms) are never penalised
 * @param degradedBelow scores below this are DEGRADED
 * @param unhealthyBelow scores below this are UNHEALTHY
 * @param serviceErrorRateTolerance the absolute error rate a whole service may have for free
 * @param serviceP99ThresholdMillis the absolute p99 above which a whole service is penalised
 * @param recentSpanMillis the recent span, in whole slides, whose errors are judged besides the
 *     window's and the last slide's: long enough for a moderate fault's evidence, short enough not
 *     to be diluted by the window (3 s)
 */
public record ScoringThresholds(
    long minRequests,
    long minLatencyRequests,
    long minRecentLatencyRequests,
    double z,
    double errorEvidence,
    double latencyEvidence,
    double errorEstimateZ,
    double errorRateFloor,
    double errorExcessAtZero,
    double latencyRatioTolerance,
    double latencyRatioAtZero,
    double minLatencyExcessMillis,
    double degradedBelow,
    double unhealthyBelow,
    double serviceErrorRateTolerance,
    double serviceP99ThresholdMillis,
    long recentSpanMillis)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default recent span: three seconds. */
  public static final long DEFAULT_RECENT_SPAN_MILLIS = 3_000;

  public static ScoringThresholds defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the documented defaults. */
  public static final class Builder {
    /** Beyond it a normal quantile means nothing, and z² no longer fits a bound's arithmetic. */
    private static final double MAX_Z = 40;

    /** Request counts: far above any window's, and safe to add to one. */
    private static final long MAX_COUNT = 1_000_000_000L;

    private long minRequests = 20;
    private long minLatencyRequests = 100;
    private long minRecentLatencyRequests = 20;
    private double z = 3.0;
    private double errorEvidence = 16.0;
    private double latencyEvidence = 16.0;
    private double errorEstimateZ = 0.5;
    private double errorRateFloor = 0.001;
    private double errorExcessAtZero = 0.10;
    private double latencyRatioTolerance = 1.5;
    private double latencyRatioAtZero = 4.0;
    private double minLatencyExcessMillis = 5.0;
    private double degradedBelow = 0.8;
    private double unhealthyBelow = 0.5;
    private double serviceErrorRateTolerance = 0.01;
    private double serviceP99ThresholdMillis = 1000.0;
    private long recentSpanMillis = DEFAULT_RECENT_SPAN_MILLIS;

    private Builder() {}

    public Builder minRequests(long value) {
      minRequests = value;
      return this;
    }

    public Builder minLatencyRequests(long value) {
      minLatencyRequests = value;
      return this;
    }

    public Builder minRecentLatencyRequests(long value) {
      minRecentLatencyRequests = value;
      return this;
    }

    public Builder z(double value) {
      z = value;
      return this;
    }

    public Builder errorEvidence(double value) {
      errorEvidence = value;
      return this;
    }

    public Builder latencyEvidence(double value) {
      latencyEvidence = value;
      return this;
    }

    public Builder recentSpanMillis(long value) {
      recentSpanMillis = value;
      return this;
    }

    public Builder errorEstimateZ(double value) {
      errorEstimateZ = value;
      return this;
    }

    public Builder errorRateFloor(double value) {
      errorRateFloor = value;
      return this;
    }

    public Builder errorExcessAtZero(double value) {
      errorExcessAtZero = value;
      return this;
    }

    public Builder latencyRatioTolerance(double value) {
      latencyRatioTolerance = value;
      return this;
    }

    public Builder latencyRatioAtZero(double value) {
      latencyRatioAtZero = value;
      return this;
    }

    public Builder minLatencyExcessMillis(double value) {
      minLatencyExcessMillis = value;
      return this;
    }

    public Builder degradedBelow(double value) {
      degradedBelow = value;
      return this;
    }

    public Builder unhealthyBelow(double value) {
      unhealthyBelow = value;
      return this;
    }

    public Builder serviceErrorRateTolerance(double value) {
      serviceErrorRateTolerance = value;
      return this;
    }

    public Builder serviceP99ThresholdMillis(double value) {
      serviceP99ThresholdMillis = value;
      return this;
    }

    public ScoringThresholds build() {
      // Infinite or huge values would turn bounds into NaN (scored HEALTHY) or counts negative.
      finite("z", z);
      finite("errorEvidence", errorEvidence);
      finite("latencyEvidence", latencyEvidence);
      finite("errorEstimateZ", errorEstimateZ);
      finite("latencyRatioTolerance", latencyRatioTolerance);
      finite("latencyRatioAtZero", latencyRatioAtZero);
      finite("minLatencyExcessMillis", minLatencyExcessMillis);
      finite("serviceP99ThresholdMillis", serviceP99ThresholdMillis);
      require(z <= MAX_Z, "z must be at most " + MAX_Z + ", was " + z);
      require(
          errorEstimateZ <= MAX_Z,
          "errorEstimateZ must be at most " + MAX_Z + ", was " + errorEstimateZ);
      require(
          minRequests <= MAX_COUNT && minLatencyRequests <= MAX_COUNT,
          "minRequests and minLatencyRequests must be at most "
              + MAX_COUNT
              + ", were "
              + minRequests
              + " and "
              + minLatencyRequests);
      require(
          minRecentLatencyRequests <= MAX_COUNT,
          "minRecentLatencyRequests must be at most " + MAX_COUNT);
      require(minRequests >= 1, "minRequests must be at least 1, was " + minRequests);
      require(
          minLatencyRequests >= minRequests,
          "minLatencyRequests must be at least minRequests, was " + minLatencyRequests);
      require(
          minRecentLatencyRequests >= 1,
          "minRecentLatencyRequests must be at least 1, was " + minRecentLatencyRequests);
      require(z > 0, "z must be positive, was " + z);
      require(errorEvidence > 0, "errorEvidence must be positive, was " + errorEvidence);
      require(latencyEvidence > 0, "latencyEvidence must be positive, was " + latencyEvidence);
      require(recentSpanMillis > 0, "recentSpanMillis must be positive, was " + recentSpanMillis);
      require(errorEstimateZ >= 0, "errorEstimateZ must be >= 0, was " + errorEstimateZ);
      require(
          errorRateFloor > 0 && errorRateFloor < 1,
          "errorRateFloor must be in (0,1), was " + errorRateFloor);
      require(
          errorExcessAtZero > 0 && errorExcessAtZero <= 1,
          "errorExcessAtZero must be in (0,1], was " + errorExcessAtZero);
      require(
          latencyRatioTolerance >= 1,
          "latencyRatioTolerance must be >= 1, was " + latencyRatioTolerance);
      require(
          latencyRatioAtZero > latencyRatioTolerance,
          "latencyRatioAtZero must exceed latencyRatioTolerance, was " + latencyRatioAtZero);
      require(minLatencyExcessMillis >= 0, "minLatencyExcessMillis must be >= 0");
      require(
          0 < unhealthyBelow && unhealthyBelow < degradedBelow && degradedBelow <= 1,
          "need 0 < unhealthyBelow < degradedBelow <= 1, were "
              + unhealthyBelow
              + " and "
              + degradedBelow);
      require(
          serviceErrorRateTolerance >= 0 && serviceErrorRateTolerance < 1,
          "serviceErrorRateTolerance must be in [0,1)");
      require(serviceP99ThresholdMillis > 0, "serviceP99ThresholdMillis must be positive");
      return new ScoringThresholds(
          minRequests,
          minLatencyRequests,
          minRecentLatencyRequests,
          z,
          errorEvidence,
          latencyEvidence,
          errorEstimateZ,
          errorRateFloor,
          errorExcessAtZero,
          latencyRatioTolerance,
          latencyRatioAtZero,
          minLatencyExcessMillis,
          degradedBelow,
          unhealthyBelow,
          serviceErrorRateTolerance,
          serviceP99ThresholdMillis,
          recentSpanMillis);
    }

    private static void finite(String name, double value) {
      require(Double.isFinite(value), name + " must be a finite number, was " + value);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
