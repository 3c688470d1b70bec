package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlNamesTest {
  @Test
  void aRateWithMatchersAndGrouping_readsOnlyItsMetric() {
    assertThat(
            PromQlNames.of(
                "sum by (le, destination_service_name) (rate("
                    + "istio_request_duration_milliseconds_bucket{reporter=\"source\","
                    + "destination_service_name=~\"$service\"}[$__rate_interval]))"))
        .as("names of a latency query")
        .containsExactly("istio_request_duration_milliseconds_bucket");
  }

  @Test
  void vectorMatchingAndRecordedNames_areFound_keywordsAndNumbersAreNot() {
    assertThat(
            PromQlNames.of(
                "destination_version:istio_request_error_ratio:rate1m > 0.05\n"
                    + "and on (destination_service_name, destination_version)\n"
                    + "  destination_version:istio_requests:rate1m > 0.5\n"
                    + "and on (destination_service_name) group_left ()"
                    + " (2 * destination_service:istio_request_error_ratio:rate1m)"
                    + " or vector(0) unless bool 1e3"))
        .as("names of the canary alert")
        .containsExactly(
            "destination_service:istio_request_error_ratio:rate1m",
            "destination_version:istio_request_error_ratio:rate1m",
            "destination_version:istio_requests:rate1m");
  }

  @Test
  void aMatcherValueThatLooksLikeAMetric_isNotAName() {
    assertThat(
            PromQlNames.of(
                "max(meshpulse_health_last_record_age_seconds{job=\"up\", x='rate(y)'}) > 30"))
        .as("names")
        .containsExactly("meshpulse_health_last_record_age_seconds");
  }
}
