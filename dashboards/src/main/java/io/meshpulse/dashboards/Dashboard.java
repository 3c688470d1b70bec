package io.meshpulse.dashboards;

import java.util.List;

/** A dashboard: stable uid, title, description, variables (datasource first) and panels. */
public record Dashboard(
    String uid, String title, String description, List<Variable> variables, List<Panel> panels) {
  public Dashboard {
    if (!uid.matches("[a-z0-9-]{1,40}")) {
      throw new IllegalArgumentException("uid '" + uid + "' must be 1-40 of [a-z0-9-]");
    }
    variables = List.copyOf(variables);
    panels = List.copyOf(panels);
  }

  /** The file name the dashboard is written to. */
  String fileName() {
    return uid + ".json";
  }
}
