package io.meshpulse.xds.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.shift.ActiveAlert;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpAlertmanagerApiTest {
  /** What Alertmanager 0.25 answers to GET /api/v2/alerts?active=true&... (one alert). */
  static final String ANSWER =
      """
      [{"annotations":{},"endsAt":"2026-11-27T12:40:37.173Z","fingerprint":"f2cafe238ded75c5",
        "receivers":[{"name":"none"}],"startsAt":"2026-01-01T00:00:00.000Z",
        "status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},
        "updatedAt":"2026-11-27T12:35:37.173Z",
        "labels":{"alertname":"CanaryBad","destination_service_name":"reviews",
                  "destination_version":"v2"}}]
      """;

  @Test
  void anAnswer_yieldsEachAlertsFingerprintLabelsAndStart() throws IOException {
    assertThat(HttpAlertmanagerApi.parse(ANSWER))
        .containsExactly(
            new ActiveAlert(
                "f2cafe238ded75c5",
                Map.of(
                    "alertname",
                    "CanaryBad",
                    "destination_service_name",
                    "reviews",
                    "destination_version",
                    "v2"),
                Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void suppressedAlerts_areFlagged() throws IOException {
    assertThat(HttpAlertmanagerApi.parse(ANSWER.replace("\"active\"", "\"suppressed\"")))
        .singleElement()
        .satisfies(a -> assertThat(a.suppressed()).as("suppressed").isTrue());
    assertThat(HttpAlertmanagerApi.parse(ANSWER))
        .singleElement()
        .satisfies(a -> assertThat(a.suppressed()).as("suppressed").isFalse());
  }

  @Test
  void aStatusAnswer_yieldsWhenAlertmanagerStarted() throws IOException {
    // What Alertmanager 0.25 answers to GET /api/v2/status, shortened.
    String status =
        """
        {"cluster":{"status":"disabled"},"config":{"original":"route: {}"},
         "uptime":"2026-11-27T13:00:05.123Z","versionInfo":{"version":"0.25.0"}}
        """;
    assertThat(HttpAlertmanagerApi.parseUptime(status))
        .isEqualTo(Instant.parse("2026-11-27T13:00:05.123Z"));
    assertThatThrownBy(() -> HttpAlertmanagerApi.parseUptime("{\"cluster\":{}}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("uptime");
  }

  @Test
  void aMalformedAnswer_failsNamingWhatIsWrong() {
    assertThatThrownBy(() -> HttpAlertmanagerApi.parse("<html>"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> HttpAlertmanagerApi.parse("{\"alerts\":[]}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("array");
    assertThatThrownBy(
            () -> HttpAlertmanagerApi.parse(ANSWER.replace("2026-01-01T00:00:00.000Z", "soon")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("alerts[0].startsAt");
  }

  @Test
  void theBaseUrl_keepsItsPrefix_withoutATrailingSlash() {
    assertThat(
            new HttpAlertmanagerApi(
                    URI.create("http://am:9093/alertmanager/"), HttpAlertmanagerApi.client())
                .name())
        .isEqualTo("http://am:9093/alertmanager");
  }
}
