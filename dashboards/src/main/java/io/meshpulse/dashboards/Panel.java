package io.meshpulse.dashboards;

import java.util.List;

/** A dashboard panel: its Grafana plugin type, what it shows, its unit and its queries. */
public record Panel(
    String type, String title, String description, String unit, int width, List<Query> queries) {
  public Panel {
    if (description.isBlank()) {
      throw new IllegalArgumentException("panel '" + title + "' needs a description");
    }
    if (width < 1 || width > 24) {
      throw new IllegalArgumentException("panel '" + title + "' width must be 1..24");
    }
    queries = List.copyOf(queries);
  }

  static Panel timeseries(String title, String description, String unit, Query... queries) {
    return new Panel("timeseries", title, description, unit, 12, List.of(queries));
  }

  static Panel stat(String title, String description, String unit, Query query) {
    return new Panel("stat", title, description, unit, 6, List.of(query));
  }

  static Panel table(String title, String description, String unit, Query... queries) {
    return new Panel("table", title, description, unit, 24, List.of(queries));
  }
}
