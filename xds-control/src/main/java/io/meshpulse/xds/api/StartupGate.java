package io.meshpulse.xds.api;

import io.meshpulse.xds.XdsControlRuntime;
import io.meshpulse.xds.control.LoopView;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Writes wait for the first evaluation. Until it has run, the overrides, rollouts and alert shifts
 * are not restored from Kafka yet: a removal would answer 404 and the restore would bring the thing
 * back, a resolved alert would find no shift and be acknowledged, and a firing one would not roll
 * back a rollout not restored yet. A 503 makes Alertmanager (and a script) retry.
 */
final class StartupGate {
  static final String RETRY_AFTER_SECONDS = "5";

  private StartupGate() {}

  /**
   * The answer to a write on an instance that does not lead (a standby, or one that lost the lease:
   * what it wrote would not be read by the leader), or that is not ready yet.
   */
  static Optional<ResponseEntity<Map<String, Object>>> refuse(XdsControlRuntime runtime) {
    if (!runtime.leads()) {
      return Optional.of(
          retryLater(
              "this xds-control does not lead (role "
                  + runtime.role()
                  + "): the leader, the ready instance, takes writes; retry"));
    }
    return refuse(runtime.loop().view());
  }

  /** The answer to a write while {@code view} is not ready, if it is not. */
  static Optional<ResponseEntity<Map<String, Object>>> refuse(LoopView view) {
    if (view.ready()) {
      return Optional.empty();
    }
    return Optional.of(retryLater(MESSAGE));
  }

  /** 503 with {@code Retry-After}, which Alertmanager and scripts honour. */
  private static ResponseEntity<Map<String, Object>> retryLater(String error) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
        .body(Map.of("error", error));
  }

  static final String MESSAGE =
      "xds-control is starting: its state is restored with the first routing"
          + " (see /actuator/health/readiness); retry";
}
