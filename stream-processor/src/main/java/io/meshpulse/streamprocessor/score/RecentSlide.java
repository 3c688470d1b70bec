package io.meshpulse.streamprocessor.score;

/**
 * The last slide of a window (e.g. its last second): enough to see a fault that began less than a
 * slide ago at full strength, while the whole window still dilutes it.
 *
 * @param requests requests in the last slide
 * @param errors errors in the last slide
 * @param latencyCount requests of the last slide that carried a latency
 * @param p50Millis their median latency (0 when none); a median, because with ~50 samples a slide's
 *     p99 is its maximum and one stray slow request would look like a regression
 * @param spanRequests requests in the last {@link #SPAN_SLIDES} slides
 * @param spanErrors errors in the last {@link #SPAN_SLIDES} slides: a moderate fault (a few percent
 *     of errors) is significant over three seconds of traffic long before it is over the whole
 *     window, and one second alone is too little evidence for it
 */
public record RecentSlide(
    long requests,
    long errors,
    long latencyCount,
    double p50Millis,
    long spanRequests,
    long spanErrors) {
  /** How many of the window's last slides the span covers. */
  public static final int SPAN_SLIDES = 3;

  /** A last slide whose span is the slide alone. */
  public RecentSlide(long requests, long errors, long latencyCount, double p50Millis) {
    this(requests, errors, latencyCount, p50Millis, requests, errors);
  }
}
