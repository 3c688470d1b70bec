package io.meshpulse.dashboards;

/**
 * A template variable filled from a label's values ({@code label_values(metric, label)}), or the
 * datasource variable when {@code metric} is empty.
 */
public record Variable(String name, String label, String metric, String labelName) {
  static final Variable DATASOURCE = new Variable("datasource", "Data source", "", "");

  /** The query that lists the variable's values. */
  String query() {
    return "label_values(" + metric + ", " + labelName + ")";
  }

  boolean isDatasource() {
    return metric.isEmpty();
  }
}
