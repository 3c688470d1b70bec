package io.meshpulse.xds.shift;

import java.time.Duration;
import java.util.Map;

/**
 * What an alert does when its labels contain every {@code match} pair: it shifts the route weight
 * of the service named by label {@code serviceLabel} away from the subset named by label {@code
 * subsetLabel} to subset {@code shiftTo}, {@code step} percent of the subset's weight every {@code
 * stepInterval} until the subset keeps {@code floor} percent; when the alert resolves the weight
 * comes back {@code restoreStep} percent every {@code restoreInterval}. A non-empty {@code route}
 * ({@code <virtual service>/<route>}) limits the shift to that route of the routing configuration.
 */
public record ShiftAction(
    Map<String, String> match,
    String serviceLabel,
    String subsetLabel,
    String shiftTo,
    int step,
    int floor,
    Duration stepInterval,
    int restoreStep,
    Duration restoreInterval,
    String route) {
  /** An action on every route of the service. */
  public ShiftAction(
      Map<String, String> match,
      String serviceLabel,
      String subsetLabel,
      String shiftTo,
      int step,
      int floor,
      Duration stepInterval,
      int restoreStep,
      Duration restoreInterval) {
    this(
        match,
        serviceLabel,
        subsetLabel,
        shiftTo,
        step,
        floor,
        stepInterval,
        restoreStep,
        restoreInterval,
        "");
  }

  public ShiftAction {
    match = Map.copyOf(match);
    require(!match.isEmpty(), "match must name at least one label");
    require(!serviceLabel.isBlank(), "service-label must not be blank");
    require(!subsetLabel.isBlank(), "subset-label must not be blank");
    require(!shiftTo.isBlank(), "shift-to must name the subset that takes the traffic");
    require(step >= 1 && step <= 100, "step must be in [1, 100]: " + step);
    require(floor >= 0 && floor < 100, "floor must be in [0, 99]: " + floor);
    require(restoreStep >= 1 && restoreStep <= 100, "restore-step must be in [1, 100]");
    require(!stepInterval.isNegative() && !stepInterval.isZero(), "step-interval must be positive");
    require(
        !restoreInterval.isNegative() && !restoreInterval.isZero(),
        "restore-interval must be positive");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Whether an alert with these labels triggers this action. */
  public boolean matches(Map<String, String> labels) {
    return match.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
