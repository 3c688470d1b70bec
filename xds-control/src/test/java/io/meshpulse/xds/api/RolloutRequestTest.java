package io.meshpulse.xds.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.rollout.RolloutSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutRequestTest {

  @Test
  void aFullBody_becomesTheSpec_andOmittedFieldsTakeTheDefaults() {
    RolloutSpec spec =
        RolloutRequest.parse(
            """
            {"service":"reviews","subset":"v2","stable":"v1","stepPercent":20,
             "interval":"500ms","maxPercent":60,"minScore":0.7,"minHealthyPercent":50,
             "route":"reviews/default"}
            """);
    assertThat(spec)
        .as("spec")
        .isEqualTo(
            RolloutSpec.builder()
                .service("reviews")
                .canary("v2")
                .stable("v1")
                .stepPercent(20)
                .interval(Duration.ofMillis(500))
                .maxPercent(60)
                .minScore(0.7)
                .minHealthyPercent(50)
                .route("reviews/default")
                .build());
    assertThat(RolloutRequest.parse("{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\"}"))
        .as("defaults")
        .isEqualTo(RolloutSpec.builder().service("s").canary("b").stable("a").build());
  }

  @Test
  void badBodies_areRefusedNamingTheField() {
    assertThatThrownBy(() -> RolloutRequest.parse("{oops")).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> RolloutRequest.parse("[]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> RolloutRequest.parse("{\"subset\":\"v2\",\"stable\":\"v1\"}"))
        .hasMessage("service is required");
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"step\":5}"))
        .as("a misspelt field")
        .hasMessageStartingWith("unknown field 'step'");
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"stepPercent\":\"5\"}"))
        .hasMessage("stepPercent must be an integer");
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"interval\":\"soon\"}"))
        .hasMessageStartingWith("interval must be a duration");
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"route\":\"main\"}"))
        .as("a route without its virtual service")
        .hasMessageStartingWith("route: must be <virtual service>/<route>");
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"maxPercent\":0}"))
        .as("validation message in the body's field names")
        .hasMessageStartingWith("maxPercent:");
    for (String interval : List.of("1000000000000d", "25h", "500us", "1500us", "0s")) {
      assertThatThrownBy(
              () ->
                  RolloutRequest.parse(
                      "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"interval\":\""
                          + interval
                          + "\"}"))
          .as("interval %s", interval)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("interval:");
    }
  }

  @Test
  void aFieldGivenTwice_orANameOverTheLimit_isRefused() {
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"maxPercent\":10,"
                        + "\"maxPercent\":100}"))
        .as("the second copy does not win")
        .hasMessageStartingWith("not JSON")
        .hasMessageContaining("maxPercent");
    String longLabel = "x".repeat(254);
    assertThatThrownBy(
            () ->
                RolloutRequest.parse(
                    "{\"service\":\"s\",\"subset\":\"b\",\"stable\":\"a\",\"subsetLabel\":\""
                        + longLabel
                        + "\"}"))
        .hasMessage("subsetLabel is 254 characters long; at most 253");
  }
}
