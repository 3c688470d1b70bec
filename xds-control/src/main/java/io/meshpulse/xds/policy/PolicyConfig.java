package io.meshpulse.xds.policy;

import java.time.Duration;

/**
 * Every knob of the routing policy, with the defaults documented in docs/routing-policy.md. Build
 * it with {@link #builder()}; {@link Builder#build()} rejects inconsistent values with a message
 * naming the property.
 *
 * @param neutralWeight the load-balancing weight of an endpoint nobody has an opinion about
 * @param degradedWeightPercent weight of a DEGRADED endpoint, in percent of the neutral weight
 * @param rampStartPercent weight of a re-admitted endpoint, in percent of the neutral weight
 * @param maxWeightStepPercent largest weight change per step, in percent of the neutral weight
 * @param stepInterval minimum time between two weight steps of one endpoint
 * @param minDwell minimum time an endpoint stays in a state (ACTIVE, DEGRADED, EJECTED)
 * @param unhealthyMinConfidence confidence an UNHEALTHY record needs to eject
 * @param degradedMinConfidence confidence a DEGRADED or UNHEALTHY record needs to reduce weight
 * @param recoverMinScore score a HEALTHY record needs to lift a DEGRADED endpoint (hysteresis)
 * @param maxEjectionPercent share of a service's endpoints that may be ejected at once
 * @param panicThresholdPercent Envoy's healthy panic threshold, never to be crossed
 * @param baseEjectionTime ejection time of a first offence
 * @param maxEjectionTime cap of the ejection time, which doubles with every repeat offence
 * @param offenceMemory how long an endpoint must stay ACTIVE before its offences are forgotten
 * @param staleAfter a health record older than this is ignored and the endpoint goes neutral
 * @param silentAfter no health record for any endpoint for this long: the pipeline is silent
 * @param holdFor while silent, hold the last routing this long, then revert to neutral
 * @param dryRun compute and publish decisions, but serve neutral routing
 */
public record PolicyConfig(
    int neutralWeight,
    int degradedWeightPercent,
    int rampStartPercent,
    int maxWeightStepPercent,
    Duration stepInterval,
    Duration minDwell,
    double unhealthyMinConfidence,
    double degradedMinConfidence,
    double recoverMinScore,
    int maxEjectionPercent,
    int panicThresholdPercent,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    Duration offenceMemory,
    Duration staleAfter,
    Duration silentAfter,
    Duration holdFor,
    boolean dryRun) {

  public static final PolicyConfig DEFAULTS = builder().build();

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .neutralWeight(neutralWeight)
        .degradedWeightPercent(degradedWeightPercent)
        .rampStartPercent(rampStartPercent)
        .maxWeightStepPercent(maxWeightStepPercent)
        .stepInterval(stepInterval)
        .minDwell(minDwell)
        .unhealthyMinConfidence(unhealthyMinConfidence)
        .degradedMinConfidence(degradedMinConfidence)
        .recoverMinScore(recoverMinScore)
        .maxEjectionPercent(maxEjectionPercent)
        .panicThresholdPercent(panicThresholdPercent)
        .baseEjectionTime(baseEjectionTime)
        .maxEjectionTime(maxEjectionTime)
        .offenceMemory(offenceMemory)
        .staleAfter(staleAfter)
        .silentAfter(silentAfter)
        .holdFor(holdFor)
        .dryRun(dryRun);
  }

  int degradedWeight() {
    return Math.max(1, neutralWeight * degradedWeightPercent / 100);
  }

  int rampStartWeight() {
    return Math.max(1, neutralWeight * rampStartPercent / 100);
  }

  int maxWeightStep() {
    return Math.max(1, neutralWeight * maxWeightStepPercent / 100);
  }

  /** Ejection time of the n-th offence (n ≥ 1): base × 2^(n-1), capped. */
  Duration ejectionTime(int offence) {
    Duration time = baseEjectionTime;
    for (int i = 1; i < offence && time.compareTo(maxEjectionTime) < 0; i++) {
      time = time.multipliedBy(2);
    }
    return time.compareTo(maxEjectionTime) > 0 ? maxEjectionTime : time;
  }

  /** Builder with the defaults; {@link #build()} validates. */
  public static final class Builder {
    private int neutralWeight = 100;
    private int degradedWeightPercent = 50;
    private int rampStartPercent = 10;
    private int maxWeightStepPercent = 25;
    private Duration stepInterval = Duration.ofSeconds(1);
    private Duration minDwell = Duration.ofSeconds(5);
    private double unhealthyMinConfidence = 0.5;
    private double degradedMinConfidence = 0.3;
    private double recoverMinScore = 0.9;
    private int maxEjectionPercent = 20;
    private int panicThresholdPercent = 50;
    private Duration baseEjectionTime = Duration.ofSeconds(30);
    private Duration maxEjectionTime = Duration.ofMinutes(5);
    private Duration offenceMemory = Duration.ofMinutes(10);
    private Duration staleAfter = Duration.ofSeconds(10);
    private Duration silentAfter = Duration.ofSeconds(15);
    private Duration holdFor = Duration.ofSeconds(60);
    private boolean dryRun = false;

    private Builder() {}

    public Builder neutralWeight(int v) {
      this.neutralWeight = v;
      return this;
    }

    public Builder degradedWeightPercent(int v) {
      this.degradedWeightPercent = v;
      return this;
    }

    public Builder rampStartPercent(int v) {
      this.rampStartPercent = v;
      return this;
    }

    public Builder maxWeightStepPercent(int v) {
      this.maxWeightStepPercent = v;
      return this;
    }

    public Builder stepInterval(Duration v) {
      this.stepInterval = v;
      return this;
    }

    public Builder minDwell(Duration v) {
      this.minDwell = v;
      return this;
    }

    public Builder unhealthyMinConfidence(double v) {
      this.unhealthyMinConfidence = v;
      return this;
    }

    public Builder degradedMinConfidence(double v) {
      this.degradedMinConfidence = v;
      return this;
    }

    public Builder recoverMinScore(double v) {
      this.recoverMinScore = v;
      return this;
    }

    public Builder maxEjectionPercent(int v) {
      this.maxEjectionPercent = v;
      return this;
    }

    public Builder panicThresholdPercent(int v) {
      this.panicThresholdPercent = v;
      return this;
    }

    public Builder baseEjectionTime(Duration v) {
      this.baseEjectionTime = v;
      return this;
    }

    public Builder maxEjectionTime(Duration v) {
      this.maxEjectionTime = v;
      return this;
    }

    public Builder offenceMemory(Duration v) {
      this.offenceMemory = v;
      return this;
    }

    public Builder staleAfter(Duration v) {
      this.staleAfter = v;
      return this;
    }

    public Builder silentAfter(Duration v) {
      this.silentAfter = v;
      return this;
    }

    public Builder holdFor(Duration v) {
      this.holdFor = v;
      return this;
    }

    public Builder dryRun(boolean v) {
      this.dryRun = v;
      return this;
    }

    public PolicyConfig build() {
      require(neutralWeight >= 1 && neutralWeight <= 10_000, "neutral-weight", "in [1, 10000]");
      require(
          percent(degradedWeightPercent) && degradedWeightPercent >= 1,
          "degraded-weight-percent",
          "in [1, 100]");
      require(
          percent(rampStartPercent) && rampStartPercent >= 1, "ramp-start-percent", "in [1, 100]");
      require(
          percent(maxWeightStepPercent) && maxWeightStepPercent >= 1,
          "max-weight-step-percent",
          "in [1, 100]");
      require(positive(stepInterval), "step-interval", "positive");
      require(!minDwell.isNegative(), "min-dwell", "not negative");
      require(unit(unhealthyMinConfidence), "unhealthy-min-confidence", "in [0, 1]");
      require(unit(degradedMinConfidence), "degraded-min-confidence", "in [0, 1]");
      require(unit(recoverMinScore), "recover-min-score", "in [0, 1]");
      require(percent(maxEjectionPercent), "max-ejection-percent", "in [0, 100]");
      require(percent(panicThresholdPercent), "panic-threshold-percent", "in [0, 100]");
      require(positive(baseEjectionTime), "base-ejection-time", "positive");
      require(
          baseEjectionTime.compareTo(minDwell) >= 0,
          "base-ejection-time",
          "at least min-dwell (" + minDwell + ")");
      require(
          maxEjectionTime.compareTo(baseEjectionTime) >= 0,
          "max-ejection-time",
          "at least base-ejection-time (" + baseEjectionTime + ")");
      require(!offenceMemory.isNegative(), "offence-memory", "not negative");
      require(positive(staleAfter), "stale-after", "positive");
      require(positive(silentAfter), "silent-after", "positive");
      require(
          holdFor.compareTo(minDwell) >= 0, "hold-for", "at least min-dwell (" + minDwell + ")");
      return new PolicyConfig(
          neutralWeight,
          degradedWeightPercent,
          rampStartPercent,
          maxWeightStepPercent,
          stepInterval,
          minDwell,
          unhealthyMinConfidence,
          degradedMinConfidence,
          recoverMinScore,
          maxEjectionPercent,
          panicThresholdPercent,
          baseEjectionTime,
          maxEjectionTime,
          offenceMemory,
          staleAfter,
          silentAfter,
          holdFor,
          dryRun);
    }

    private static boolean percent(int v) {
      return v >= 0 && v <= 100;
    }

    private static boolean unit(double v) {
      return v >= 0 && v <= 1;
    }

    private static boolean positive(Duration d) {
      return !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String property, String expectation) {
      if (!ok) {
        throw new IllegalArgumentException(
            "meshpulse.xds.policy." + property + " must be " + expectation);
      }
    }
  }
}
