package io.meshpulse.dashboards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a {@link Dashboard} as Grafana dashboard JSON (schema version 41). */
final class GrafanaJson {
  static final int SCHEMA_VERSION = 41;
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GrafanaJson() {}

  static String write(Dashboard dashboard) {
    try {
      return MAPPER.writeValueAsString(toJson(dashboard)) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write dashboard " + dashboard.uid(), e);
    }
  }

  static ObjectNode toJson(Dashboard d) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("uid", d.uid());
    root.put("title", d.title());
    root.put("description", d.description());
    root.putArray("tags").add("meshpulse");
    root.put("editable", true);
    root.put("graphTooltip", 1);
    root.put("refresh", "10s");
    root.put("schemaVersion", SCHEMA_VERSION);
    root.put("version", 1);
    root.put("timezone", "browser");
    ObjectNode time = root.putObject("time");
    time.put("from", "now-15m");
    time.put("to", "now");
    // No Prometheus annotation queries: the schema's AnnotationQuery has no field for a query
    // expression (see DashboardsTest), so routing decisions are a panel, not annotations.
    root.putObject("annotations").putArray("list");
    ArrayNode vars = root.putObject("templating").putArray("list");
    for (Variable v : d.variables()) {
      vars.add(variable(v));
    }
    ArrayNode panels = root.putArray("panels");
    int id = 1;
    int x = 0;
    int y = 0;
    int rowHeight = 0;
    for (Panel p : d.panels()) {
      if (x + p.width() > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      int height = p.type().equals("stat") ? 4 : 8;
      panels.add(panel(p, id++, x, y, height));
      x += p.width();
      rowHeight = Math.max(rowHeight, height);
    }
    return root;
  }

  private static ObjectNode variable(Variable v) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", v.name());
    node.put("label", v.label());
    if (v.isDatasource()) {
      node.put("type", "datasource");
      node.put("query", "prometheus");
      node.put("hide", 0);
      return node;
    }
    node.put("type", "query");
    node.set("datasource", datasourceRef());
    node.put("query", v.query());
    node.put("refresh", 2);
    node.put("includeAll", v.multi());
    node.put("multi", v.multi());
    if (v.multi()) {
      node.put("allValue", ".*");
    }
    node.put("sort", 1);
    node.put("hide", 0);
    return node;
  }

  private static ObjectNode panel(Panel p, int id, int x, int y, int height) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", id);
    node.put("type", p.type());
    node.put("title", p.title());
    node.put("description", p.description());
    node.set("datasource", datasourceRef());
    ObjectNode grid = node.putObject("gridPos");
    grid.put("x", x);
    grid.put("y", y);
    grid.put("w", p.width());
    grid.put("h", height);
    ObjectNode fieldConfig = node.putObject("fieldConfig");
    fieldConfig.putObject("defaults").put("unit", p.unit());
    fieldConfig.putArray("overrides");
    node.putObject("options");
    ArrayNode targets = node.putArray("targets");
    char refId = 'A';
    for (Query q : p.queries()) {
      ObjectNode target = targets.addObject();
      target.put("refId", String.valueOf(refId++));
      target.set("datasource", datasourceRef());
      target.put("expr", q.expr());
      target.put("legendFormat", q.legend());
      if (p.type().equals("table") || p.type().equals("stat")) {
        target.put("instant", true);
      }
      if (p.type().equals("table")) {
        // One row per series; as time series Grafana shows one frame per series instead.
        target.put("format", "table");
      }
    }
    return node;
  }

  private static ObjectNode datasourceRef() {
    ObjectNode ref = MAPPER.createObjectNode();
    ref.put("type", "prometheus");
    ref.put("uid", "${datasource}");
    return ref;
  }
}
