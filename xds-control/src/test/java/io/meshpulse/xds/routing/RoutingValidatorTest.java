package io.meshpulse.xds.routing;

import static io.meshpulse.xds.routing.RoutingFixtures.meshVs;
import static io.meshpulse.xds.routing.RoutingFixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every validation error names the file, the line of the offending field and the field's path, so
 * it can be fixed without searching.
 */
class RoutingValidatorTest {

  /** The one problem of {@code yaml}, asserted to be the only one. */
  private static RoutingProblem only(String yaml) {
    List<RoutingProblem> problems = problems(yaml);
    assertThat(problems).as("problems of\n" + yaml).hasSize(1);
    return problems.get(0);
  }

  private static void assertLocated(
      RoutingProblem p, int line, String resource, String field, String message) {
    assertThat(p.file()).as("file of " + p).isEqualTo("routes.yml");
    assertThat(p.line()).as("line of " + p).isEqualTo(line);
    assertThat(p.resource()).as("resource of " + p).isEqualTo(resource);
    assertThat(p.field()).as("field of " + p).isEqualTo(field);
    assertThat(p.message()).as("message of " + p).contains(message);
    assertThat(p.toString())
        .as("printed form")
        .startsWith("routes.yml:" + line + ": " + resource + " " + field + ": ");
  }

  @Test
  void theSeedExampleIsValid() {
    assertThat(problems(RoutingFixtures.SEED)).as("problems").isEmpty();
  }

  @Test
  void anUnknownService_isReportedAtItsHost() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - route:
                    - destination:
                        host: ratings
                """));
    assertLocated(
        p,
        10,
        "VirtualService/reviews",
        "spec.http[0].route[0].destination.host",
        "unknown service 'ratings'");
  }

  @Test
  void anUnknownSubset_isReportedAtItsSubset() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - route:
                    - destination: {host: reviews, subset: v1}
                      weight: 50
                    - destination:
                        host: reviews
                        subset: v3
                      weight: 50
                """));
    assertLocated(
        p,
        13,
        "VirtualService/reviews",
        "spec.http[0].route[1].destination.subset",
        "unknown subset 'v3' of service 'reviews'");
  }

  @Test
  void weightsThatDoNotSumTo100_areReportedAtTheRoute() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - name: split
                  route:
                    - destination: {host: reviews, subset: v1}
                      weight: 80
                    - destination: {host: reviews, subset: v2}
                      weight: 10
                """));
    assertLocated(
        p, 9, "VirtualService/reviews", "spec.http[0].route", "weights sum to 90, must sum to 100");
  }

  @Test
  void aMissingWeightAmongSeveralDestinations_isReportedAtThatDestination() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - route:
                    - destination: {host: reviews, subset: v1}
                      weight: 100
                    - destination: {host: reviews, subset: v2}
                """));
    assertLocated(p, 11, "VirtualService/reviews", "spec.http[0].route[1].weight", "missing");
  }

  @Test
  void aDuplicateRouteName_isReportedAtTheSecondName() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - name: a
                  match: [{uri: {prefix: /x}}]
                  route: [{destination: {host: reviews}}]
                - name: a
                  route: [{destination: {host: reviews}}]
                """));
    assertLocated(p, 11, "VirtualService/reviews", "spec.http[1].name", "duplicate route name 'a'");
  }

  @Test
  void aRouteAfterACatchAll_isUnreachable() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - name: everything
                  route: [{destination: {host: reviews, subset: v1}}]
                - name: api
                  match:
                    - uri: {prefix: /api}
                  route: [{destination: {host: reviews, subset: v2}}]
                """));
    assertLocated(
        p,
        11,
        "VirtualService/reviews",
        "spec.http[1].match",
        "unreachable: route 'everything' before it");
  }

  @Test
  void aRouteShadowedByAWiderPrefix_isUnreachable_butANarrowerOneFirstIsFine() {
    String wideFirst =
        meshVs(
            """
            - name: wide
              match: [{uri: {prefix: /api}}]
              route: [{destination: {host: reviews, subset: v1}}]
            - name: narrow
              match: [{uri: {prefix: /api/v2}, headers: {x-user: {exact: jason}}}]
              route: [{destination: {host: reviews, subset: v2}}]
            """);
    assertThat(only(wideFirst).message()).as("message").contains("unreachable: route 'wide'");
    String narrowFirst =
        meshVs(
            """
            - name: narrow
              match: [{uri: {prefix: /api/v2}, headers: {x-user: {exact: jason}}}]
              route: [{destination: {host: reviews, subset: v2}}]
            - name: wide
              match: [{uri: {prefix: /api}}]
              route: [{destination: {host: reviews, subset: v1}}]
            """);
    assertThat(problems(narrowFirst)).as("problems with the narrow route first").isEmpty();
  }

  @Test
  void aHeaderConditionDoesNotShadowARouteWithoutIt() {
    String yaml =
        meshVs(
            """
            - name: canary-users
              match: [{headers: {x-canary: {exact: "true"}}}]
              route: [{destination: {host: reviews, subset: v2}}]
            - name: rest
              route: [{destination: {host: reviews, subset: v1}}]
            """);
    assertThat(problems(yaml)).as("problems").isEmpty();
  }

  @Test
  void twoGatewaysClaimingOneHostOnOnePort_conflict() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: public}
        spec:
          servers:
            - port: {number: 80, name: http, protocol: HTTP}
              hosts: ["shop.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: internal}
        spec:
          servers:
            - port: {number: 80, name: http, protocol: HTTP}
              hosts: ["*.example.com"]
        """;
    assertLocated(
        only(yaml),
        15,
        "Gateway/internal",
        "spec.servers[0].hosts",
        "host '*.example.com' on port 80 conflicts with 'shop.example.com' of Gateway 'public'");
    assertThat(problems(yaml.replace("*.example.com", "api.example.com")))
        .as("disjoint hosts share the port")
        .isEmpty();
  }

  @Test
  void anInvalidRegex_isReportedAtTheRegex() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - match:
                    - uri:
                        regex: "/users/(\\\\d+"
                  route: [{destination: {host: reviews}}]
                """));
    assertLocated(
        p, 10, "VirtualService/reviews", "spec.http[0].match[0].uri.regex", "invalid RE2 regex");
  }

  @Test
  void aBackreference_isValidJavaButNotRe2_andIsRefused() {
    RoutingProblem p =
        only(
            meshVs(
                """
                - match:
                    - headers:
                        x-id:
                          regex: "(a)\\\\1"
                  route: [{destination: {host: reviews}}]
                """));
    assertThat(p.field()).as("field").isEqualTo("spec.http[0].match[0].headers.x-id.regex");
    assertThat(p.message()).as("message").contains("invalid RE2 regex");
  }

  @Test
  void anUnknownGateway_andAnUnsupportedField_andAWrongPort_areEachReported() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop}
        spec:
          hosts: ["shop.example.com"]
          gateways: [nowhere]
          http:
            - mirror: {host: reviews}
              route:
                - destination: {host: reviews, port: {number: 9090}}
        """;
    List<RoutingProblem> problems = problems(yaml);
    assertThat(problems).as("problems").hasSize(3);
    assertThat(problems)
        .as("problems")
        .anySatisfy(
            p -> assertLocated(p, 6, "VirtualService/shop", "spec.gateways[0]", "unknown gateway"))
        .anySatisfy(
            p -> assertLocated(p, 8, "VirtualService/shop", "spec.http[0].mirror", "not supported"))
        .anySatisfy(
            p ->
                assertLocated(
                    p,
                    10,
                    "VirtualService/shop",
                    "spec.http[0].route[0].destination.port.number",
                    "listens on 9080, not 9090"));
  }

  @Test
  void aMeshVirtualServiceForAHostThatIsNoService_isRefused() {
    String yaml =
        meshVs("- route: [{destination: {host: reviews}}]\n").replace("[reviews]", "[shop]");
    assertThat(only(yaml).message()).as("message").contains("'shop' is not a service");
  }

  @Test
  void twoVirtualServicesForOneHostOfTheMesh_conflict() {
    String one = meshVs("- route: [{destination: {host: reviews}}]\n");
    String two = one.replace("name: reviews", "name: reviews-2");
    RoutingProblem p = only(one + "---\n" + two);
    assertThat(p.resource()).as("resource").isEqualTo("VirtualService/reviews-2");
    assertThat(p.message())
        .as("message")
        .contains("host 'reviews' on the mesh is already routed by VirtualService 'reviews'");
  }

  @Test
  void badYaml_isReportedWithItsLine() {
    List<RoutingProblem> problems = problems("kind: Gateway\nmetadata: {name: x\nspec: {}\n");
    assertThat(problems).as("problems").hasSize(1);
    assertThat(problems.get(0).message()).as("message").startsWith("not valid YAML");
    assertThat(problems.get(0).line()).as("line").isGreaterThan(1);
  }

  @Test
  void withoutATopology_referencesAreNotChecked_butEverythingElseIs() {
    String yaml =
        meshVs(
            """
            - route:
                - destination: {host: ratings, subset: v9}
                  weight: 60
                - destination: {host: ratings, subset: v8}
                  weight: 30
            """);
    List<RoutingProblem> problems = RoutingFiles.parse("routes.yml", yaml, null).problems();
    assertThat(problems).as("problems").hasSize(1);
    assertThat(problems.get(0).message()).as("message").contains("weights sum to 90");
  }
}
