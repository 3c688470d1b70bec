package io.meshpulse.xds.shift;

import java.time.Instant;
import java.util.Map;

/**
 * An alert Alertmanager lists as active: its fingerprint, labels, when it started firing, and
 * whether a silence or an inhibition suppresses its notifications.
 */
public record ActiveAlert(
    String fingerprint, Map<String, String> labels, Instant startsAt, boolean suppressed) {
  public ActiveAlert {
    labels = Map.copyOf(labels);
  }

  /** An alert that is not suppressed. */
  public ActiveAlert(String fingerprint, Map<String, String> labels, Instant startsAt) {
    this(fingerprint, labels, startsAt, false);
  }

  /** As a firing webhook alert. */
  public Alert toAlert() {
    return new Alert(fingerprint, true, labels);
  }
}
