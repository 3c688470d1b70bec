package io.meshpulse.xds.alertmanager;

import io.meshpulse.xds.shift.ActiveAlert;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One Alertmanager's list of active alerts ({@code GET /api/v2/alerts}). */
public interface AlertmanagerApi {
  /** What to name this Alertmanager in logs: its base URL. */
  String name();

  /**
   * The alerts that are active, silenced and inhibited ones included (flagged as suppressed).
   *
   * @throws IOException when it cannot be reached, does not answer in time, or answers with an
   *     error or with something that is not its list of alerts
   */
  List<ActiveAlert> activeAlerts() throws IOException, InterruptedException;

  /**
   * When this Alertmanager started ({@code uptime} of {@code GET /api/v2/status}); empty when it
   * cannot tell, and then its answers are trusted as if it had been up for long.
   *
   * @throws IOException as {@link #activeAlerts}
   */
  default Optional<Instant> startedAt() throws IOException, InterruptedException {
    return Optional.empty();
  }
}
