package io.meshpulse.xds.routing;

import java.util.HashMap;
import java.util.Map;

/**
 * The line of every field the parser saw, by resource and field path. A path never seen (a missing
 * field) resolves to its nearest enclosing field.
 */
public final class FieldLines {
  private final Map<String, Integer> lines = new HashMap<>();

  void put(String resource, String path, int line) {
    lines.putIfAbsent(resource + ' ' + path, line);
  }

  public int lineOf(String resource, String path) {
    String p = path;
    while (true) {
      Integer line = lines.get(resource + ' ' + p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      int dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = dot <= 0 ? "" : p.substring(0, dot);
    }
  }
}
