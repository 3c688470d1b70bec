package io.meshpulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DashboardsTest {
  static final Path GRAFANA = Path.of("grafana");
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final JsonSchema SCHEMA = loadSchema();

  static Stream<Dashboard> dashboards() {
    return MeshDashboards.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void committedJson_isWhatTheGeneratorWrites(Dashboard dashboard) throws Exception {
    Path file = GRAFANA.resolve(dashboard.fileName());
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as("%s (regenerate with ./mvnw -pl dashboards process-classes)", file)
        .isEqualTo(GrafanaJson.write(dashboard));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void json_validatesAgainstGrafanasSchema(Dashboard dashboard) throws Exception {
    JsonNode json = MAPPER.readTree(GRAFANA.resolve(dashboard.fileName()).toFile());
    Set<ValidationMessage> problems = SCHEMA.validate(json);
    assertThat(problems).as("schema problems of %s", dashboard.uid()).isEmpty();
  }

  @Test
  void schema_rejectsAMisspeltKey() throws Exception {
    JsonNode json = GrafanaJson.toJson(MeshDashboards.meshOverview());
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("panels").get(0))
        .put("titel", "typo");
    assertThat(SCHEMA.validate(json))
        .as("problems of a dashboard with a misspelt key")
        .isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void everyPanel_hasADescription_andUsesTheDatasourceVariable(Dashboard dashboard)
      throws Exception {
    JsonNode json = MAPPER.readTree(GRAFANA.resolve(dashboard.fileName()).toFile());
    assertThat(json.get("templating").get("list").get(0).get("type").asText())
        .as("first variable of %s", dashboard.uid())
        .isEqualTo("datasource");
    for (JsonNode panel : json.get("panels")) {
      assertThat(panel.path("description").asText())
          .as("description of panel %s", panel.get("title"))
          .isNotBlank();
      assertThat(panel.get("datasource").get("uid").asText())
          .as("datasource of panel %s", panel.get("title"))
          .isEqualTo("${datasource}");
      for (JsonNode target : panel.get("targets")) {
        assertThat(target.get("datasource").get("uid").asText())
            .as("datasource of a query in %s", panel.get("title"))
            .isEqualTo("${datasource}");
      }
    }
  }

  @Test
  void uids_areUniqueAndStable() {
    Set<String> uids = new HashSet<>();
    for (Dashboard d : MeshDashboards.all()) {
      assertThat(uids.add(d.uid())).as("uid %s unique", d.uid()).isTrue();
    }
    assertThat(uids)
        .as("dashboard uids (dashboards and links depend on them)")
        .containsExactlyInAnyOrder(
            "meshpulse-mesh-overview",
            "meshpulse-service-detail",
            "meshpulse-endpoint-health",
            "meshpulse-pipeline");
  }

  @Test
  void noStrayJsonFiles() throws Exception {
    try (Stream<Path> files = Files.list(GRAFANA)) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".json") && !n.equals("dashboard.schema.json"))
              .sorted()
              .toList();
      assertThat(names)
          .as("dashboard files in grafana/")
          .containsExactlyInAnyOrderElementsOf(
              MeshDashboards.all().stream().map(Dashboard::fileName).toList());
    }
  }

  private static JsonSchema loadSchema() {
    try {
      JsonNode schema = MAPPER.readTree(GRAFANA.resolve("dashboard.schema.json").toFile());
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
