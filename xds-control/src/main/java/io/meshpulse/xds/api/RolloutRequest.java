package io.meshpulse.xds.api;

import io.meshpulse.xds.rollout.RolloutSpec;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the body of {@code POST /api/v1/rollouts}: {@code service}, {@code subset} (the canary),
 * {@code stable}, and optionally {@code stepPercent}, {@code interval} ("1s", "500ms", "PT5S"),
 * {@code maxPercent}, {@code minScore}, {@code minHealthyPercent}, {@code serviceLabel}, {@code
 * subsetLabel}. Unknown fields are refused, so a misspelt one is not silently ignored.
 */
final class RolloutRequest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
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
          "subsetLabel");

  private RolloutRequest() {}

  /**
   * @throws IllegalArgumentException naming the field that is wrong
   */
  static RolloutSpec parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object");
    }
    for (String name : root.propertyNames()) {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown field '"
                + name
                + "'; known: "
                + String.join(", ", FIELDS.stream().sorted().toList()));
      }
    }
    RolloutSpec.Builder b =
        RolloutSpec.builder()
            .service(text(root, "service"))
            .canary(text(root, "subset"))
            .stable(text(root, "stable"));
    if (root.has("stepPercent")) {
      b.stepPercent(integer(root, "stepPercent"));
    }
    if (root.has("maxPercent")) {
      b.maxPercent(integer(root, "maxPercent"));
    }
    if (root.has("minHealthyPercent")) {
      b.minHealthyPercent(integer(root, "minHealthyPercent"));
    }
    if (root.has("minScore")) {
      JsonNode v = root.get("minScore");
      if (!v.isNumber()) {
        throw new IllegalArgumentException("minScore must be a number in [0, 1]");
      }
      b.minScore(v.asDouble());
    }
    if (root.has("interval")) {
      b.interval(duration(text(root, "interval")));
    }
    if (root.has("serviceLabel")) {
      b.serviceLabel(text(root, "serviceLabel"));
    }
    if (root.has("subsetLabel")) {
      b.subsetLabel(text(root, "subsetLabel"));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(camel(e.getMessage()), e);
    }
  }

  private static String text(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (!v.isString() || v.asString().isBlank()) {
      throw new IllegalArgumentException(field + " must be a non-empty string");
    }
    return v.asString();
  }

  private static int integer(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (!v.isInt()) {
      throw new IllegalArgumentException(field + " must be an integer");
    }
    return v.asInt();
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
