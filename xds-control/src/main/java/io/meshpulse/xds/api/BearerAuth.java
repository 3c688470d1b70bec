package io.meshpulse.xds.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** Checks an {@code Authorization: Bearer <token>} header in constant time. */
final class BearerAuth {
  private BearerAuth() {}

  /**
   * Whether a write to the API (overrides, rollouts) may go ahead: always when no token is
   * configured (the webhook is then disabled, and the API is as open as its port), else only with
   * that token.
   */
  static boolean allowsWrite(@Nullable String header, @Nullable String token) {
    return token == null || token.isBlank() || authorized(header, token);
  }

  /** The answer to a write without the token. */
  static ResponseEntity<Map<String, Object>> unauthorized() {
    return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
        .body(
            Map.of(
                "error",
                "a valid bearer token is required (the alert webhook's,"
                    + " meshpulse.xds.alerts.token)"));
  }

  static boolean authorized(@Nullable String header, String token) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
  }
}
