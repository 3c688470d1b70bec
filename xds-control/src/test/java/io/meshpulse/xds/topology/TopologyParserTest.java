package io.meshpulse.xds.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

class TopologyParserTest {
  static final String VALID =
      """
      services:
        - name: reviews
          port: 9080
          protocol: grpc
          subsets:
            - name: v1
              labels: {version: v1}
              endpoints:
                - {address: 127.0.0.1, port: 9101, locality: {region: local, zone: a}}
                - {address: 127.0.0.1, port: 9102}
            - name: v2
              labels: {version: v2}
              endpoints:
                - {address: 127.0.0.1, port: 9103}
      """;

  @Test
  void aValidFile_parsesIntoServicesSubsetsAndEndpoints() throws TopologyException {
    Topology t = TopologyParser.parse("t.yml", VALID);
    ServiceSpec reviews = t.service("reviews").orElseThrow();
    assertThat(reviews.protocol()).as("protocol").isEqualTo(ServiceProtocol.GRPC);
    assertThat(reviews.subsets())
        .as("subsets")
        .extracting(SubsetSpec::name)
        .containsExactly("v1", "v2");
    assertThat(reviews.subsets().get(0).routeWeight())
        .as("default route weight = endpoint count")
        .isEqualTo(2);
    assertThat(reviews.subsets().get(0).endpoints().get(0).locality().zone())
        .as("zone")
        .isEqualTo("a");
  }

  @Test
  void routeWeights_areReadPerSubset() throws TopologyException {
    Topology t =
        TopologyParser.parse(
            "t.yml",
            VALID.replace("protocol: grpc", "protocol: grpc\n    routeWeights: {v1: 90, v2: 10}"));
    assertThat(t.services().get(0).subsets())
        .as("weights")
        .extracting(SubsetSpec::routeWeight)
        .containsExactly(90, 10);
  }

  @Test
  void anUnknownSubset_isReportedWithItsPath() {
    TopologyException e =
        parseFailing(
            VALID.replace("protocol: grpc", "protocol: grpc\n    routeWeights: {v1: 90, v9: 10}"));
    assertThat(e.problems())
        .as("problems")
        .containsExactly("services[0].routeWeights: unknown subset 'v9' in service 'reviews'");
  }

  @Test
  void aDuplicateEndpoint_isReportedWithItsPath() {
    TopologyException e = parseFailing(VALID.replace("port: 9103", "port: 9101"));
    assertThat(e.problems())
        .as("problems")
        .containsExactly(
            "services[0].subsets[1].endpoints[0]: duplicate endpoint 127.0.0.1:9101 in service 'reviews'");
  }

  @Test
  void aBadPort_isReportedWithItsPath() {
    TopologyException e =
        parseFailing(
            VALID.replace("port: 9102", "port: 70000").replace("port: 9080", "port: http"));
    assertThat(e.problems())
        .as("problems")
        .containsExactlyInAnyOrder(
            "services[0].port: bad port 'http', must be an integer in [1, 65535]",
            "services[0].subsets[0].endpoints[1].port: bad port '70000', must be an integer in [1, 65535]");
  }

  @Test
  void anEndpointNamedByAHostName_isReportedWithItsPath_anIpv6OneIsFine() throws Exception {
    TopologyException e =
        parseFailing(VALID.replaceFirst("address: 127\\.0\\.0\\.1", "address: reviews-0.reviews"));
    assertThat(e.problems())
        .as("problems")
        .containsExactly(
            "services[0].subsets[0].endpoints[0].address: 'reviews-0.reviews' must be an IP"
                + " address (an endpoint is a pod's address, not a host name)");
    assertThat(
            TopologyParser.parse(
                    "t.yml", VALID.replaceFirst("address: 127\\.0\\.0\\.1", "address: \"fd00::1\""))
                .services()
                .get(0)
                .subsets()
                .get(0)
                .endpoints()
                .get(0)
                .address())
        .isEqualTo("fd00::1");
  }

  @Test
  void brokenYaml_andAMissingServicesList_areRejected() {
    assertThat(parseFailing("services: [").getMessage()).as("broken").contains("not valid YAML");
    assertThat(parseFailing("foo: 1").getMessage()).as("no services").contains("list 'services'");
  }

  private static TopologyException parseFailing(String yaml) {
    return catchThrowableOfType(TopologyException.class, () -> TopologyParser.parse("t.yml", yaml));
  }
}
