package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meshpulse.sim.scenario.ScenarioLoader;
import org.junit.jupiter.api.Test;

class TopologyExportTest {
  @Test
  void export_writesTheContractsTopologyFormat() throws Exception {
    String yaml = TopologyExport.toYaml(ScenarioLoader.builtIn("bad-canary"));
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    JsonNode reviews = root.get("services").get(0);
    assertThat(reviews.get("name").asText()).as("name").isEqualTo("reviews");
    assertThat(reviews.get("port").asInt()).as("port").isEqualTo(9080);
    assertThat(reviews.get("protocol").asText()).as("protocol").isEqualTo("http");
    JsonNode v3 = reviews.get("subsets").get(2);
    assertThat(v3.get("name").asText()).as("subset").isEqualTo("v3");
    assertThat(v3.get("labels").get("version").asText()).as("labels").isEqualTo("v3");
    JsonNode ep = v3.get("endpoints").get(0);
    assertThat(ep.get("address").asText()).as("address").isEqualTo("127.0.0.1");
    assertThat(ep.get("port").asInt()).as("endpoint port").isEqualTo(9109);
    assertThat(ep.get("locality").get("region").asText()).as("region").isEqualTo("local");
    assertThat(ep.get("locality").get("zone").asText()).as("zone").isEqualTo("a");
    assertThat(root.get("services").get(1).get("protocol").asText())
        .as("ratings is grpc")
        .isEqualTo("grpc");
    assertThat(root.get("services")).as("all services").hasSize(3);
  }
}
