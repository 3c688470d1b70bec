package io.meshpulse.bench.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ScoreTimesTest {

  @Test
  void aRecord_isTimedToTheWindowEndingAtTheNextSlideBoundary() {
    ScoreTimes scores = new ScoreTimes(2, Duration.ofMillis(500), 10_000, Duration.ofSeconds(10));
    scores.read(1, 10_500, 11_200);
    scores.read(1, 11_000, 11_900);
    scores.read(1, 11_000, 11_700); // the same window read again, earlier: the earliest counts

    assertThat(scores.firstScoreRead(1, 10_200)).as("in [10.0, 10.5)").hasValue(11_200);
    assertThat(scores.firstScoreRead(1, 10_499)).hasValue(11_200);
    assertThat(scores.firstScoreRead(1, 10_500))
        .as("on the boundary: window ends are exclusive")
        .hasValue(11_700);
    assertThat(scores.firstScoreRead(0, 10_200)).as("another endpoint's").isEmpty();
  }

  @Test
  void withOneSecondSlides_aRecordWaitsForTheNextWholeSecond() {
    ScoreTimes scores = new ScoreTimes(1, Duration.ofSeconds(1), 10_000, Duration.ofSeconds(10));
    scores.read(0, 11_000, 11_800);

    assertThat(scores.firstScoreRead(0, 10_000)).hasValue(11_800);
    assertThat(scores.firstScoreRead(0, 10_999)).hasValue(11_800);
  }

  @Test
  void outsideTheSpan_orForAnUnknownEndpoint_nothingIsKept() {
    ScoreTimes scores = new ScoreTimes(1, Duration.ofMillis(500), 10_000, Duration.ofSeconds(2));
    scores.read(0, 9_500, 9_900);
    scores.read(0, 12_000, 12_600); // the span holds window ends 10.0 to 11.5
    scores.read(-1, 10_500, 10_700);
    scores.read(1, 10_500, 10_700);

    assertThat(scores.firstScoreRead(0, 9_200)).isEmpty();
    assertThat(scores.firstScoreRead(0, 11_700)).isEmpty();
    assertThat(scores.firstScoreRead(0, 10_200)).as("only bad endpoints read it").isEmpty();
    assertThat(scores.firstScoreRead(5, 10_200)).isEqualTo(OptionalLong.empty());
  }
}
