package io.meshpulse.sim;

import io.meshpulse.sim.outlier.OutlierDetectionConfig;
import io.meshpulse.sim.scenario.Durations;
import io.meshpulse.sim.scenario.Scenario;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to run a {@link Simulation}. Build with {@link #builder(Scenario)}; every setting but the
 * scenario has a default.
 *
 * @param collectorTarget {@code host:port} of the ALS + MetricsService server; empty: no telemetry
 * @param adsTarget {@code host:port} of the ADS server; empty ({@code --no-xds}): proxies spread
 *     traffic evenly over the scenario's endpoints
 * @param seed overrides the scenario's seed
 * @param duration overrides the scenario's duration
 * @param faultAt moves the fault timeline so that its first fault starts at this offset
 * @param outlierDetection when present, every proxy runs Envoy's outlier detection with this
 *     configuration on its own traffic (the baseline) and routes by it; requires no ADS target
 * @param virtualTime the run advances a simulated clock tick by tick as fast as it can instead of
 *     following the wall clock; requires no collector and no ADS target (nothing real to talk to)
 */
public record SimulationOptions(
    Scenario scenario,
    Optional<String> collectorTarget,
    Optional<String> adsTarget,
    Optional<Long> seed,
    Optional<Duration> duration,
    Optional<Duration> faultAt,
    Clock clock,
    Duration tickInterval,
    Duration alsFlushInterval,
    int alsMaxMessageBytes,
    int alsBufferLimit,
    Duration metricsInterval,
    Duration shareWindow,
    double defaultPanicThresholdPercent,
    int schedulerThreads,
    Optional<OutlierDetectionConfig> outlierDetection,
    boolean virtualTime) {

  public static Builder builder(Scenario scenario) {
    return new Builder(scenario);
  }

  /** The scenario with the duration and fault-time overrides applied. */
  public Scenario effectiveScenario() {
    return scenario.withOverrides(duration, faultAt);
  }

  public long effectiveSeed() {
    return seed.orElse(scenario.seed());
  }

  /** Builder with defaults: tick 10 ms, ALS flush 100 ms / 16 KiB, metrics every 5 s. */
  public static final class Builder {
    private final Scenario scenario;
    private @Nullable String collectorTarget;
    private @Nullable String adsTarget;
    private @Nullable Long seed;
    private @Nullable Duration duration;
    private @Nullable Duration faultAt;
    private Clock clock = Clock.systemUTC();
    private Duration tickInterval = Duration.ofMillis(10);
    private Duration alsFlushInterval = Duration.ofMillis(100);
    private int alsMaxMessageBytes = 16 * 1024;
    private int alsBufferLimit = 100_000;
    private Duration metricsInterval = Duration.ofSeconds(5);
    private Duration shareWindow = Duration.ofSeconds(10);
    private double defaultPanicThresholdPercent = 50.0;
    private int schedulerThreads = 2;
    private @Nullable OutlierDetectionConfig outlierDetection;
    private boolean virtualTime;

    private Builder(Scenario scenario) {
      this.scenario = scenario;
    }

    public Builder collector(@Nullable String hostPort) {
      this.collectorTarget = hostPort;
      return this;
    }

    public Builder ads(@Nullable String hostPort) {
      this.adsTarget = hostPort;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder faultAt(Duration faultAt) {
      this.faultAt = faultAt;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder tickInterval(Duration tickInterval) {
      this.tickInterval = tickInterval;
      return this;
    }

    public Builder alsFlushInterval(Duration alsFlushInterval) {
      this.alsFlushInterval = alsFlushInterval;
      return this;
    }

    public Builder alsMaxMessageBytes(int bytes) {
      this.alsMaxMessageBytes = bytes;
      return this;
    }

    public Builder alsBufferLimit(int entries) {
      this.alsBufferLimit = entries;
      return this;
    }

    public Builder metricsInterval(Duration metricsInterval) {
      this.metricsInterval = metricsInterval;
      return this;
    }

    /** The N seconds of the traffic-share windows before the fault and after the reaction. */
    public Builder shareWindow(Duration shareWindow) {
      this.shareWindow = shareWindow;
      return this;
    }

    /** Envoy's healthy_panic_threshold for clusters that do not set one (Envoy: 50 %). */
    public Builder defaultPanicThresholdPercent(double percent) {
      this.defaultPanicThresholdPercent = percent;
      return this;
    }

    public Builder schedulerThreads(int threads) {
      this.schedulerThreads = threads;
      return this;
    }

    /**
     * The Envoy outlier-detection baseline: proxies judge endpoints from their own traffic with
     * this configuration (e.g. {@link OutlierDetectionConfig#envoyDefaults()}) instead of xDS.
     */
    public Builder outlierDetection(OutlierDetectionConfig config) {
      this.outlierDetection = config;
      return this;
    }

    /**
     * Runs on a simulated clock, as fast as the CPU allows (a 60 s run takes about a second); only
     * without collector and ADS.
     */
    public Builder virtualTime() {
      this.virtualTime = true;
      return this;
    }

    public SimulationOptions build() {
      require(
          outlierDetection == null || adsTarget == null,
          "outlierDetection replaces the control plane: no ads target with it");
      require(
          !virtualTime || (adsTarget == null && collectorTarget == null),
          "virtualTime needs a run without collector and ads");
      require(
          collectorTarget == null || HostPort.valid(collectorTarget),
          "collector must be host:port, got " + collectorTarget);
      require(
          adsTarget == null || HostPort.valid(adsTarget),
          "ads must be host:port, got " + adsTarget);
      require(
          duration == null || duration.compareTo(Duration.ofSeconds(1)) >= 0,
          "duration must be at least 1s");
      require(faultAt == null || !faultAt.isNegative(), "faultAt must not be negative");
      require(
          !tickInterval.isNegative() && tickInterval.toMillis() >= 1,
          "tickInterval must be at least 1ms");
      require(alsFlushInterval.toMillis() >= 1, "alsFlushInterval must be at least 1ms");
      require(alsMaxMessageBytes >= 1024, "alsMaxMessageBytes must be at least 1024");
      require(alsBufferLimit >= 1, "alsBufferLimit must be positive");
      require(metricsInterval.toMillis() >= 100, "metricsInterval must be at least 100ms");
      require(shareWindow.toMillis() >= 100, "shareWindow must be at least 100ms");
      require(
          defaultPanicThresholdPercent >= 0 && defaultPanicThresholdPercent <= 100,
          "defaultPanicThresholdPercent must be in [0, 100]");
      require(schedulerThreads >= 1, "schedulerThreads must be positive");
      require(scenario.proxyCount() <= 250, "at most 250 proxies (addresses 127.0.0.2-251)");
      Scenario effective =
          scenario.withOverrides(Optional.ofNullable(duration), Optional.ofNullable(faultAt));
      // A fault that would start at or after the end would make the run look like the null
      // scenario's.
      effective
          .firstFaultAt()
          .ifPresent(
              at ->
                  require(
                      at.compareTo(effective.duration()) < 0,
                      "the fault starts at "
                          + Durations.format(at)
                          + ", not before the end of the run at "
                          + Durations.format(effective.duration())
                          + ": give a longer --duration or an earlier --fault-at"));
      return new SimulationOptions(
          scenario,
          Optional.ofNullable(collectorTarget),
          Optional.ofNullable(adsTarget),
          Optional.ofNullable(seed),
          Optional.ofNullable(duration),
          Optional.ofNullable(faultAt),
          clock,
          tickInterval,
          alsFlushInterval,
          alsMaxMessageBytes,
          alsBufferLimit,
          metricsInterval,
          shareWindow,
          defaultPanicThresholdPercent,
          schedulerThreads,
          Optional.ofNullable(outlierDetection),
          virtualTime);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
