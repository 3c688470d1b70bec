package io.meshpulse.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** A YAML node that knows its path, so every validation error names the field. */
final class YamlNode {
  private final String source;
  private final String path;
  private final JsonNode node;

  YamlNode(String source, String path, JsonNode node) {
    this.source = source;
    this.path = path;
    this.node = node;
  }

  String path() {
    return path;
  }

  ScenarioException error(String message) {
    return new ScenarioException(source + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  private ScenarioException error(String field, String message) {
    return new ScenarioException(source + ": " + child(field) + ": " + message);
  }

  private String child(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  YamlNode requireObject() {
    if (!node.isObject()) {
      throw error("must be a mapping");
    }
    return this;
  }

  /** Rejects keys not in {@code allowed}, so typos do not pass silently. */
  YamlNode onlyKeys(Set<String> allowed) {
    requireObject();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw error(key, "unknown field (allowed: " + String.join(", ", allowed) + ")");
      }
    }
    return this;
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  @Nullable YamlNode optional(String field) {
    return has(field) ? new YamlNode(source, child(field), node.get(field)) : null;
  }

  YamlNode required(String field) {
    YamlNode v = optional(field);
    if (v == null) {
      throw error(field, "is required");
    }
    return v;
  }

  String text() {
    if (!node.isValueNode() || node.asText().isBlank()) {
      throw error("must be a non-empty string");
    }
    return node.asText().trim();
  }

  String string(String field) {
    return required(field).text();
  }

  String string(String field, String defaultValue) {
    YamlNode v = optional(field);
    return v == null ? defaultValue : v.text();
  }

  long longValue(String field, long defaultValue) {
    YamlNode v = optional(field);
    if (v == null) {
      return defaultValue;
    }
    if (!v.node.canConvertToLong() || !v.node.isIntegralNumber()) {
      throw v.error("must be an integer");
    }
    return v.node.asLong();
  }

  int intInRange(String field, @Nullable Integer defaultValue, int min, int max) {
    YamlNode v = optional(field);
    if (v == null) {
      if (defaultValue == null) {
        throw error(field, "is required");
      }
      return defaultValue;
    }
    if (!v.node.isIntegralNumber()) {
      throw v.error("must be an integer");
    }
    int value = v.node.asInt();
    if (value < min || value > max) {
      throw v.error("must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  double number(String field, @Nullable Double defaultValue, double min, double max) {
    YamlNode v = optional(field);
    if (v == null) {
      if (defaultValue == null) {
        throw error(field, "is required");
      }
      return defaultValue;
    }
    if (!v.node.isNumber()) {
      throw v.error("must be a number");
    }
    double value = v.node.asDouble();
    if (value < min || value > max) {
      throw v.error("must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  @Nullable Duration duration(String field, @Nullable Duration defaultValue) {
    YamlNode v = optional(field);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Durations.parse(v.node.asText());
    } catch (IllegalArgumentException e) {
      throw v.error(e.getMessage());
    }
  }

  <T> List<T> list(String field, boolean required, Function<YamlNode, T> element) {
    YamlNode v = required ? required(field) : optional(field);
    if (v == null) {
      return List.of();
    }
    if (!v.node.isArray()) {
      throw v.error("must be a list");
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < v.node.size(); i++) {
      out.add(element.apply(new YamlNode(source, v.path + "[" + i + "]", v.node.get(i))));
    }
    return out;
  }

  Map<String, String> stringMap(String field, Map<String, String> defaultValue) {
    YamlNode v = optional(field);
    if (v == null) {
      return defaultValue;
    }
    v.requireObject();
    Map<String, String> out = new LinkedHashMap<>();
    v.node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
