package io.meshpulse.dashboards;

/** One PromQL query of a panel with the legend Grafana shows for each series. */
public record Query(String expr, String legend) {
  public Query {
    if (expr.isBlank()) {
      throw new IllegalArgumentException("a query needs an expression");
    }
  }
}
