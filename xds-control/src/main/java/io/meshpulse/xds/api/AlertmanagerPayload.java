package io.meshpulse.xds.api;

import io.meshpulse.xds.shift.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Reads Alertmanager's webhook payload (version 4) into alerts; anything malformed is refused. */
final class AlertmanagerPayload {

  private AlertmanagerPayload() {}

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  static List<Alert> parse(String body) {
    JsonNode root = JsonBody.object(body, "the payload");
    JsonNode version = root.get("version");
    if (version == null || !version.isValueNode() || !"4".equals(version.asString())) {
      throw new IllegalArgumentException("version must be \"4\" (Alertmanager webhook payload)");
    }
    JsonNode alerts = root.get("alerts");
    if (alerts == null || !alerts.isArray()) {
      throw new IllegalArgumentException("alerts must be an array");
    }
    List<Alert> result = new ArrayList<>();
    for (int i = 0; i < alerts.size(); i++) {
      JsonNode a = alerts.get(i);
      String where = "alerts[" + i + "]";
      if (!a.isObject()) {
        throw new IllegalArgumentException(where + " must be an object");
      }
      String status = text(a, "status", where);
      if (!status.equals("firing") && !status.equals("resolved")) {
        throw new IllegalArgumentException(where + ".status must be firing or resolved");
      }
      String fingerprint = text(a, "fingerprint", where);
      JsonNode labels = a.get("labels");
      if (labels == null || !labels.isObject()) {
        throw new IllegalArgumentException(where + ".labels must be an object");
      }
      Map<String, String> map = new LinkedHashMap<>();
      for (var e : labels.properties()) {
        if (!e.getValue().isString()) {
          throw new IllegalArgumentException(where + ".labels." + e.getKey() + " must be a string");
        }
        map.put(e.getKey(), e.getValue().asString());
      }
      result.add(new Alert(fingerprint, status.equals("firing"), map));
    }
    return result;
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isString() || v.asString().isBlank()) {
      throw new IllegalArgumentException(where + "." + field + " must be a non-empty string");
    }
    return v.asString();
  }
}
