package io.meshpulse.xds.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OverrideRequestTest {

  @Test
  void aBody_becomesTheRequest_withAbsentFieldsNull() {
    assertThat(
            OverrideRequest.parse(
                "{\"cluster\":\"reviews\",\"endpoint\":\"10.0.0.7:9080\",\"weight\":50,"
                    + "\"reason\":\"slow disk\"}"))
        .isEqualTo(new OverrideRequest("reviews", "10.0.0.7:9080", 50, null, "slow disk"));
    assertThat(
            OverrideRequest.parse(
                "{\"cluster\":\"reviews\",\"endpoint\":\"10.0.0.7:9080\",\"eject\":true}"))
        .isEqualTo(new OverrideRequest("reviews", "10.0.0.7:9080", null, true, null));
  }

  @Test
  void whatWouldBeIgnoredOrRounded_isRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                OverrideRequest.parse(
                    "{\"cluster\":\"reviews\",\"endpoint\":\"10.0.0.7:9080\",\"weight\":50,"
                        + "\"ejct\":true}"))
        .as("a misspelt eject would pin the weight instead")
        .hasMessageStartingWith("unknown field 'ejct'");
    assertThatThrownBy(
            () ->
                OverrideRequest.parse(
                    "{\"cluster\":\"reviews\",\"endpoint\":\"10.0.0.7:9080\",\"weight\":1.9}"))
        .hasMessage("weight must be an integer");
    assertThatThrownBy(
            () ->
                OverrideRequest.parse(
                    "{\"cluster\":\"reviews\",\"endpoint\":\"10.0.0.7:9080\",\"eject\":\"yes\"}"))
        .hasMessage("eject must be true or false");
    assertThatThrownBy(
            () ->
                OverrideRequest.parse(
                    "{\"cluster\":\"reviews\",\"cluster\":\"ratings\",\"endpoint\":\"a:1\"}"))
        .hasMessageContaining("cluster");
    assertThatThrownBy(
            () ->
                OverrideRequest.parse(
                    "{\"cluster\":\"reviews\",\"endpoint\":\"10.0.0.7:9080\",\"eject\":true,"
                        + "\"reason\":\""
                        + "r".repeat(1025)
                        + "\"}"))
        .as("a reason too long to store with every decision")
        .hasMessage("reason is 1025 characters long; at most 1024");
    assertThatThrownBy(() -> OverrideRequest.parse("")).hasMessageContaining("JSON object");
  }
}
