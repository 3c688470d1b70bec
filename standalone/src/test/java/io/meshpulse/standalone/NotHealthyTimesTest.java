package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NotHealthyTimesTest {

  @Test
  void anEndpointJudgedNotHealthyBeforeTheOnset_countsFromItsFirstJudgementAfterIt() {
    NotHealthyTimes times = new NotHealthyTimes(60_000);
    times.add("10.0.0.1:8080", 1_000); // a blip before the fault
    times.add("10.0.0.1:8080", 5_000);
    times.add("10.0.0.1:8080", 6_000);

    assertThat(times.first(List.of("10.0.0.1:8080"), 3_000)).contains(5_000L);
    assertThat(times.first(List.of("10.0.0.1:8080"), 0)).contains(1_000L);
    assertThat(times.first(List.of("10.0.0.1:8080"), 6_001)).as("none since").isEmpty();
  }

  @Test
  void ofSeveralEndpoints_theEarliestCounts_andUnknownOnesAreSkipped() {
    NotHealthyTimes times = new NotHealthyTimes(60_000);
    times.add("a:1", 7_000);
    times.add("b:1", 2_000);
    times.add("b:1", 4_000);

    assertThat(times.first(List.of("a:1", "b:1", "c:1"), 3_000)).contains(4_000L);
    assertThat(times.first(List.of("c:1"), 0)).isEmpty();
  }

  @Test
  void judgementsOlderThanTheMemory_areForgotten() {
    NotHealthyTimes times = new NotHealthyTimes(10_000);
    times.add("a:1", 0);
    times.add("a:1", 10_000);
    times.add("a:1", 10_001);

    assertThat(times.first(List.of("a:1"), 0)).as("0 is out of memory at 10001").contains(10_000L);
  }
}
