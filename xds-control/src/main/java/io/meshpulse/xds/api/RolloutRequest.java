package io.meshpulse.xds.api;

import io.meshpulse.xds.rollout.RolloutSpec;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.convert.DurationStyle;

/**
 * Reads the body of {@code POST /api/v1/rollouts}: {@code service}, {@code subset} (the canary),
 * {@code stable}, and optionally {@code stepPercent}, {@code interval} ("1s", "500ms", "PT5S"),
 * {@code maxPercent}, {@code minScore}, {@code minHealthyPercent}, {@code serviceLabel}, {@code
 * subsetLabel}, {@code route}. Unknown fields are refused, so a misspelt one is not silently
 * ignored, and so is a field given twice; names and labels are at most 253 characters.
 */
final class RolloutRequest {
  private static final Set<String> FIELDS =
      Set.of(
          "service",
          "subset",
          "stable",
          "stepPercent",
          "interval",
          "maxPercent",
          "minScore",
          "minHealthyPercent",
          "serviceLabel",
          "subsetLabel",
          "route");

  private RolloutRequest() {}

  /**
   * @throws IllegalArgumentException naming the field that is wrong
   */
  static RolloutSpec parse(String body) {
    JsonBody json = JsonBody.parse(body, FIELDS);
    RolloutSpec.Builder b =
        RolloutSpec.builder()
            .service(json.text("service", JsonBody.MAX_NAME))
            .canary(json.text("subset", JsonBody.MAX_NAME))
            .stable(json.text("stable", JsonBody.MAX_NAME));
    if (json.has("stepPercent")) {
      b.stepPercent(json.integer("stepPercent"));
    }
    if (json.has("maxPercent")) {
      b.maxPercent(json.integer("maxPercent"));
    }
    if (json.has("minHealthyPercent")) {
      b.minHealthyPercent(json.integer("minHealthyPercent"));
    }
    if (json.has("minScore")) {
      b.minScore(json.number("minScore", "a number in [0, 1]"));
    }
    if (json.has("interval")) {
      b.interval(duration(json.text("interval", 64)));
    }
    if (json.has("serviceLabel")) {
      b.serviceLabel(json.text("serviceLabel", JsonBody.MAX_NAME));
    }
    if (json.has("subsetLabel")) {
      b.subsetLabel(json.text("subsetLabel", JsonBody.MAX_NAME));
    }
    if (json.has("route")) {
      b.route(json.text("route", 2 * JsonBody.MAX_NAME + 1));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(camel(e.getMessage()), e);
    }
  }

  private static Duration duration(String text) {
    try {
      return DurationStyle.detectAndParse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "interval must be a duration such as \"1s\", \"500ms\" or \"PT5S\": '" + text + "'");
    }
  }

  /** The spec names its values by property ({@code step-percent}); the body by field. */
  private static String camel(String message) {
    int colon = message.indexOf(':');
    if (colon < 0) {
      return message;
    }
    String property = message.substring(0, colon);
    StringBuilder b = new StringBuilder();
    for (String part : property.split("-")) {
      b.append(b.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return b + message.substring(colon);
  }
}
