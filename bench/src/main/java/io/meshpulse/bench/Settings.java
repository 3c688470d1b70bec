package io.meshpulse.bench;

import io.meshpulse.streamprocessor.job.HealthJobOptions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of the system under test given to a benchmark as system properties ({@code
 * MESHPULSE_BENCH_OPTS="-Dmeshpulse.health.window.slide=500ms"}): the health job's ({@code
 * meshpulse.health.*}) and, where a benchmark runs it, xds-control's ({@code meshpulse.xds.*}).
 * Every figure a benchmark appends names the settings it ran with.
 */
public final class Settings {
  public static final String HEALTH_PREFIX = "meshpulse.health.";
  public static final String XDS_PREFIX = "meshpulse.xds.";

  private Settings() {}

  /**
   * The system properties starting with one of {@code prefixes}, sorted by name; fails naming a
   * {@code meshpulse.health.*} one that is no option of the health job.
   */
  public static Map<String, String> fromSystemProperties(String... prefixes) {
    Map<String, String> settings = new TreeMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      for (String prefix : prefixes) {
        if (name.startsWith(prefix)) {
          settings.put(name, System.getProperty(name));
        }
      }
    }
    HealthJobOptions.requireKnown(settings);
    return settings;
  }

  /** {@code "10 s"}, {@code "500 ms"}. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** {@code "default settings"}, or {@code "default settings except a=1, b=2"}. */
  public static String describe(Map<String, String> settings) {
    if (settings.isEmpty()) {
      return "default settings";
    }
    StringBuilder text = new StringBuilder("default settings except ");
    settings.forEach(
        (name, value) ->
            text.append(text.length() > 24 ? ", " : "")
                .append('`')
                .append(name)
                .append('=')
                .append(value)
                .append('`'));
    return text.toString();
  }
}
