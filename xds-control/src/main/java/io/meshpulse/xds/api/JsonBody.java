package io.meshpulse.xds.api;

import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request body read strictly: a JSON object with known fields only, each at most once, strings of
 * bounded length and integers that are integers. Every refusal names the field, so the caller gets
 * a 400 saying what to fix instead of a value silently dropped, rounded or taken from a second
 * copy.
 */
final class JsonBody {
  /** The longest string a field takes unless it says otherwise: a Kubernetes name's limit. */
  static final int MAX_NAME = 253;

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final JsonNode root;

  private JsonBody(JsonNode root) {
    this.root = root;
  }

  /**
   * @throws IllegalArgumentException when the body is not a JSON object of {@code fields}
   */
  static JsonBody parse(String body, Set<String> fields) {
    JsonNode root = object(body, "the body");
    for (String name : root.propertyNames()) {
      if (!fields.contains(name)) {
        throw new IllegalArgumentException(
            "unknown field '" + name + "'; known: " + String.join(", ", new TreeSet<>(fields)));
      }
    }
    return new JsonBody(root);
  }

  /**
   * {@code body} as a JSON object, any fields, none repeated.
   *
   * @param what names the body in the message, e.g. "the payload"
   * @throws IllegalArgumentException when it is not JSON, or not an object
   */
  static JsonNode object(String body, String what) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    return root;
  }

  boolean has(String field) {
    JsonNode v = root.get(field);
    return v != null && !v.isNull();
  }

  /** A required non-blank string of at most {@code maxLength} characters. */
  String text(String field, int maxLength) {
    if (!has(field)) {
      throw new IllegalArgumentException(field + " is required");
    }
    String v = optionalText(field, maxLength);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(field + " must be a non-empty string");
    }
    return v;
  }

  /** An optional string of at most {@code maxLength} characters, null when absent. */
  @Nullable String optionalText(String field, int maxLength) {
    if (!has(field)) {
      return null;
    }
    JsonNode v = root.get(field);
    if (!v.isString()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    String text = v.asString();
    if (text.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " is " + text.length() + " characters long; at most " + maxLength);
    }
    return text;
  }

  /** A present integer (not 1.5, not "1"). */
  int integer(String field) {
    JsonNode v = root.get(field);
    if (v == null || !v.isInt()) {
      throw new IllegalArgumentException(field + " must be an integer");
    }
    return v.asInt();
  }

  /** A present number. */
  double number(String field, String expected) {
    JsonNode v = root.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(field + " must be " + expected);
    }
    return v.asDouble();
  }

  /** A present boolean. */
  boolean bool(String field) {
    JsonNode v = root.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException(field + " must be true or false");
    }
    return v.asBoolean();
  }
}
