package io.meshpulse.sim.scenario;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the human durations used in scenarios and on the command line: {@code 500ms}, {@code 30s},
 * {@code 2m}.
 */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

  private Durations() {}

  /**
   * Returns the duration, or throws {@link IllegalArgumentException} with a message that shows the
   * accepted format.
   */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (use e.g. 500ms, 30s, 2m, 1h)");
    }
    double value = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> value;
          case "s" -> value * 1_000;
          case "m" -> value * 60_000;
          default -> value * 3_600_000;
        };
    return Duration.ofMillis(Math.round(millis));
  }

  /** Formats a duration the way {@link #parse} reads it. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
