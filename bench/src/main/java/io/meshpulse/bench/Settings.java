package io.meshpulse.bench;

import io.meshpulse.streamprocessor.job.HealthJobOptions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

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

  /** {@code "default settings"}, or {@code "default settings except a=1, b=2"}. */
  public static String describe(Map<String, String> settings) {
    return settings.isEmpty()
        ? "default settings"
        : settings.entrySet().stream()
            .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`")
            .collect(Collectors.joining(", ", "default settings except ", ""));
  }
}
