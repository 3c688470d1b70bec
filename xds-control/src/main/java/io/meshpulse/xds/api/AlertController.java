package io.meshpulse.xds.api;

import io.meshpulse.xds.XdsControlRuntime;
import io.meshpulse.xds.shift.Alert;
import io.meshpulse.xds.shift.AlertShifts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Alertmanager's webhook (payload version 4): {@code POST /api/v1/alerts} with a bearer token. Each
 * alert that matches a configured action starts, or (resolved) undoes, a route shift; the shift
 * itself is applied by the routing policy, so every step is a routing decision. A firing alert that
 * names the canary of a progressing rollout rolls that rollout back.
 */
@RestController
@RequestMapping("/api/v1")
public class AlertController {
  private final XdsControlRuntime runtime;
  private final MeterRegistry registry;
  private final Clock clock = Clock.systemUTC();

  public AlertController(XdsControlRuntime runtime, MeterRegistry registry) {
    this.runtime = runtime;
    this.registry = registry;
  }

  @PostMapping("/alerts")
  public ResponseEntity<Map<String, Object>> receive(
      @RequestBody(required = false) @Nullable String body) {
    // A wrong or missing token was refused before the body was read (WriteAuth).
    if (runtime.webhookTokens().isEmpty()) {
      return reject(
          HttpStatus.SERVICE_UNAVAILABLE,
          "disabled",
          "the alert webhook is disabled: set meshpulse.xds.alerts.token"
              + " (env MESHPULSE_XDS_ALERTS_TOKEN) or meshpulse.xds.alerts.token-file");
    }
    var starting = StartupGate.refuse(runtime);
    if (starting.isPresent()) {
      registry.counter("meshpulse.alerts.rejected", "reason", "starting").increment();
      return starting.get();
    }
    List<Alert> alerts;
    try {
      alerts = AlertmanagerPayload.parse(body == null ? "" : body);
    } catch (IllegalArgumentException e) {
      return reject(HttpStatus.BAD_REQUEST, "malformed", e.getMessage());
    }
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    List<String> started = new ArrayList<>();
    List<String> rolledBack = new ArrayList<>();
    for (Alert alert : alerts) {
      AlertShifts.Outcome outcome = runtime.alertShifts().receive(alert, clock.instant());
      outcomes.merge(outcome.name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
      registry
          .counter(
              "meshpulse.alerts.received",
              "status",
              alert.firing() ? "firing" : "resolved",
              "outcome",
              outcome.name().toLowerCase(java.util.Locale.ROOT))
          .increment();
      if (outcome == AlertShifts.Outcome.STARTED) {
        started.add(alert.fingerprint());
      }
      rolledBack.addAll(runtime.rollouts().onAlert(alert, clock.instant()));
    }
    runtime.loop().requestEvaluation();
    return ResponseEntity.ok(
        Map.of(
            "alerts",
            alerts.size(),
            "outcomes",
            outcomes,
            "started",
            started,
            "rolledBack",
            rolledBack));
  }

  private ResponseEntity<Map<String, Object>> reject(
      HttpStatus status, String reason, String message) {
    registry.counter("meshpulse.alerts.rejected", "reason", reason).increment();
    return ResponseEntity.status(status).body(Map.of("error", message));
  }
}
