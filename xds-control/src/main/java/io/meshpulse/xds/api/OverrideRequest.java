package io.meshpulse.xds.api;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/overrides}: pin {@code weight} or {@code eject} one endpoint of a
 * cluster (service), with a reason for the audit trail. Read strictly ({@link JsonBody}): an
 * unknown or repeated field, a weight that is not an integer or a reason over 1,024 characters is
 * refused, not ignored or rounded.
 *
 * @param endpoint {@code "<address>:<port>"}
 */
public record OverrideRequest(
    @Nullable String cluster,
    @Nullable String endpoint,
    @Nullable Integer weight,
    @Nullable Boolean eject,
    @Nullable String reason) {
  /** The longest reason kept: it goes into every decision record about the endpoint. */
  static final int MAX_REASON = 1024;

  private static final Set<String> FIELDS =
      Set.of("cluster", "endpoint", "weight", "eject", "reason");

  /**
   * @throws IllegalArgumentException naming the field that is wrong
   */
  static OverrideRequest parse(String body) {
    JsonBody json = JsonBody.parse(body, FIELDS);
    return new OverrideRequest(
        json.optionalText("cluster", JsonBody.MAX_NAME),
        json.optionalText("endpoint", JsonBody.MAX_NAME),
        json.has("weight") ? json.integer("weight") : null,
        json.has("eject") ? json.bool("eject") : null,
        json.optionalText("reason", MAX_REASON));
  }
}
