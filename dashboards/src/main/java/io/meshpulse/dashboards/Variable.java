package io.meshpulse.dashboards;

/**
 * A template variable filled from a label's values ({@code label_values(metric, label)}), or the
 * datasource variable when {@code metric} is empty. A {@code multi} variable takes several values
 * and offers "All"; otherwise it holds one value, the first one listed unless the user picks
 * another.
 */
public record Variable(String name, String label, String metric, String labelName, boolean multi) {
  static final Variable DATASOURCE = new Variable("datasource", "Data source", "", "", false);

  /** The query that lists the variable's values. */
  String query() {
    return "label_values(" + metric + ", " + labelName + ")";
  }

  boolean isDatasource() {
    return metric.isEmpty();
  }
}
