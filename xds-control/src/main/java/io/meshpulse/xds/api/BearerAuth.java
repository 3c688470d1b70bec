package io.meshpulse.xds.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks an {@code Authorization: Bearer <token>} header in constant time: against one token, or
 * against each of several (a token file during a rotation), all of them compared whatever matches,
 * so the time does not tell which token matched or how much of one.
 */
final class BearerAuth {
  /** The message of a refused write. */
  static final String UNAUTHORIZED =
      "a valid bearer token is required (the alert webhook's,"
          + " meshpulse.xds.alerts.token or token-file)";

  private BearerAuth() {}

  /**
   * Whether a write to the API (overrides, rollouts) may go ahead: always when no token is
   * configured (the webhook is then disabled, and the API is as open as its port), else only with
   * one of the tokens in force.
   */
  static boolean allowsWrite(@Nullable String header, List<String> tokens) {
    return tokens.isEmpty() || authorized(header, tokens);
  }

  /** Whether the header carries one of {@code tokens}; false when there are none. */
  static boolean authorized(@Nullable String header, List<String> tokens) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    boolean matched = false;
    for (String token : tokens) {
      // No short cut: every token is compared.
      matched |= MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }
    return matched;
  }
}
