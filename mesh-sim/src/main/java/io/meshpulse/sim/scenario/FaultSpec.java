package io.meshpulse.sim.scenario;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One fault of the timeline, on one endpoint ({@code endpoint = address:port}) or on a whole subset
 * of a service.
 *
 * @param at offset from the start of the run when the fault begins
 * @param duration how long it lasts; {@code null}: until the end of the run
 * @param errorRate extra error probability (gray failure, bad canary; overload: its maximum)
 * @param latencyFactor latency multiplier (latency regression; overload: its maximum)
 * @param ramp overload only: time for the overload to reach full strength
 */
public record FaultSpec(
    FaultKind kind,
    String service,
    @Nullable String subset,
    @Nullable String endpoint,
    Duration at,
    @Nullable Duration duration,
    HardFailureMode mode,
    double errorRate,
    double latencyFactor,
    Duration ramp) {

  public Optional<Duration> end() {
    return duration == null ? Optional.empty() : Optional.of(at.plus(duration));
  }

  /**
   * Human description of the target: {@code reviews/127.0.0.1:9103} or {@code reviews subset v3}.
   */
  public String target() {
    return endpoint != null ? service + "/" + endpoint : service + " subset " + subset;
  }

  /** The same fault, moved in time. */
  public FaultSpec shiftedTo(Duration newAt) {
    return new FaultSpec(
        kind, service, subset, endpoint, newAt, duration, mode, errorRate, latencyFactor, ramp);
  }
}
