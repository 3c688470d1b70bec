package io.meshpulse.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointStatsTest {
  private static final long START = 1_000_000L;

  @Test
  void lastSecond_isTheLastCompleteSecond() {
    EndpointStats stats = new EndpointStats("reviews", "v1", "127.0.0.1:9101", START, 100);
    for (int i = 0; i < 50; i++) {
      stats.record(START + 20 * i, i % 10 == 0, 10);
    }
    stats.record(START + 1_100, false, 10);

    double[] last = stats.lastSecond(START + 1_500);

    assertThat(last[0]).as("requests").isEqualTo(50);
    assertThat(last[1]).as("error rate").isEqualTo(0.1);
    assertThat(stats.lastSecond(START + 2_500)[0])
        .as("one request in the next second")
        .isEqualTo(1);
    assertThat(stats.lastSecond(START + 3_500)[0]).as("nothing in the second before").isZero();
  }

  @Test
  void aCallerWhoseClockLagsTheRecords_stillSeesTheLastCompleteSecond() {
    EndpointStats stats = new EndpointStats("reviews", "v1", "127.0.0.1:9101", START, 100);
    for (int i = 0; i < 50; i++) {
      stats.record(START + 1_000 + 20 * i, false, 10);
    }
    // A proxy records in the next second after the caller read its clock.
    stats.record(START + 2_001, false, 10);

    assertThat(stats.lastSecond(START + 1_999)[0])
        .as("requests of the second before the newest")
        .isEqualTo(50);
  }

  @Test
  void aLateRecordOfAnEarlierSecond_neverRollsTheLiveWindowBack() {
    EndpointStats stats = new EndpointStats("reviews", "v1", "127.0.0.1:9101", START, 100);
    for (int i = 0; i < 50; i++) {
      stats.record(START + 1_000 + 20 * i, false, 10);
    }
    stats.record(START + 2_001, false, 10);
    // A proxy thread that read its clock at 1.999 s records after another recorded at 2.001 s.
    stats.record(START + 1_999, true, 10);
    stats.record(START + 2_002, false, 10);

    double[] last = stats.lastSecond(START + 2_500);

    assertThat(last[0]).as("the late request counts in its own second").isEqualTo(51);
    assertThat(last[1]).as("error rate").isEqualTo(1.0 / 51);
    assertThat(stats.lastSecond(START + 3_100)[0]).as("the next second").isEqualTo(2);
  }
}
