package io.meshpulse.bench.stream;

import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * When each endpoint's window scores were first read, one slot per window end on the slide's grid
 * (windows {@code [end − size, end)} end on multiples of the slide), over a span of time from a
 * start. Written by one reader thread, read after it has stopped.
 */
final class ScoreTimes {
  private final long slide;
  private final long firstSlide;
  private final int slides;
  private final long[] readAt;

  ScoreTimes(int endpoints, Duration slide, long fromMillis, Duration span) {
    this.slide = slide.toMillis();
    this.firstSlide = Math.floorDiv(fromMillis, this.slide);
    this.slides = (int) (span.toMillis() / this.slide);
    this.readAt = new long[endpoints * slides];
    Arrays.fill(readAt, Long.MAX_VALUE);
  }

  /** The endpoint's window ending at {@code windowEnd} was read at {@code at}; outside, ignored. */
  void read(int endpoint, long windowEnd, long at) {
    int slot = slot(endpoint, Math.floorDiv(windowEnd, slide));
    if (slot >= 0) {
      readAt[slot] = Math.min(readAt[slot], at);
    }
  }

  /**
   * When the score of the first window holding the endpoint's record of time {@code t} was read:
   * the window ending at the next slide boundary after {@code t} (ends are exclusive).
   */
  OptionalLong firstScoreRead(int endpoint, long t) {
    int slot = slot(endpoint, Math.floorDiv(t, slide) + 1);
    return slot < 0 || readAt[slot] == Long.MAX_VALUE
        ? OptionalLong.empty()
        : OptionalLong.of(readAt[slot]);
  }

  private int slot(int endpoint, long endSlide) {
    long i = endSlide - firstSlide;
    if (endpoint < 0 || endpoint * (long) slides >= readAt.length || i < 0 || i >= slides) {
      return -1;
    }
    return (int) (endpoint * (long) slides + i);
  }
}
