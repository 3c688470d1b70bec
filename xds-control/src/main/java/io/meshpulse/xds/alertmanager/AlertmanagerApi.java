package io.meshpulse.xds.alertmanager;

import io.meshpulse.xds.shift.ActiveAlert;
import java.io.IOException;
import java.util.List;

/** One Alertmanager's list of active alerts ({@code GET /api/v2/alerts}). */
public interface AlertmanagerApi {
  /** What to name this Alertmanager in logs: its base URL. */
  String name();

  /**
   * The alerts that are active and neither silenced nor inhibited.
   *
   * @throws IOException when it cannot be reached, does not answer in time, or answers with an
   *     error or with something that is not its list of alerts
   */
  List<ActiveAlert> activeAlerts() throws IOException, InterruptedException;
}
