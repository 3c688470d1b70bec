package io.meshpulse.xds.shift;

import java.util.Map;

/** One alert of an Alertmanager notification: its fingerprint, whether it fires, its labels. */
public record Alert(String fingerprint, boolean firing, Map<String, String> labels) {
  public Alert {
    labels = Map.copyOf(labels);
  }
}
