package io.meshpulse.xds.shift;

import java.time.Instant;
import java.util.Map;

/** An alert Alertmanager lists as active: its fingerprint, labels and when it started firing. */
public record ActiveAlert(String fingerprint, Map<String, String> labels, Instant startsAt) {
  public ActiveAlert {
    labels = Map.copyOf(labels);
  }

  /** As a firing webhook alert. */
  public Alert toAlert() {
    return new Alert(fingerprint, true, labels);
  }
}
