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
 */
public record RecentSlide(long requests, long errors, long latencyCount, double p50Millis) {}
