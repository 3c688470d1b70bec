package io.meshpulse.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Command-line options of {@code ./meshpulse demo} and {@code ./meshpulse standalone}.
 *
 * @param scenario built-in scenario name or a scenario file (demo)
 * @param duration how long the simulated mesh runs; empty = the scenario's own duration (demo)
 * @param report where the demo writes its JSON report; empty = no file
 * @param ui whether the demo redraws a live table (otherwise one progress line a second)
 * @param topology the topology file xds-control serves (standalone)
 * @param kafkaPort the embedded broker's port
 * @param settings {@code --set name=value}: settings of the health job ({@code meshpulse.health.*})
 *     or of xds-control ({@code meshpulse.xds.*}), in the order given
 */
record LaunchOptions(
    String command,
    String scenario,
    Optional<Duration> duration,
    Optional<Path> report,
    boolean ui,
    Optional<Path> topology,
    int kafkaPort,
    List<String> settings) {
  static final int DEFAULT_KAFKA_PORT = 19092;
  static final String DEFAULT_SCENARIO = "hard-failure";

  static LaunchOptions parse(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("missing command: demo or standalone");
    }
    String command = args.get(0);
    if (!command.equals("demo") && !command.equals("standalone")) {
      throw new IllegalArgumentException("unknown command '" + command + "': demo or standalone");
    }
    boolean demo = command.equals("demo");
    String scenario = DEFAULT_SCENARIO;
    Optional<Duration> duration = Optional.empty();
    Optional<Path> report = Optional.empty();
    boolean ui = System.console() != null;
    Optional<Path> topology = Optional.empty();
    int kafkaPort = DEFAULT_KAFKA_PORT;
    List<String> settings = new ArrayList<>();
    PlatformOptions.Builder probe = PlatformOptions.builder(Path.of("."));
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--scenario" -> scenario = demoOnly(demo, arg, value(args, ++i, arg));
        case "--duration" ->
            duration = Optional.of(parseDuration(demoOnly(demo, arg, value(args, ++i, arg))));
        case "--report" ->
            report = Optional.of(reportFile(demoOnly(demo, arg, value(args, ++i, arg))));
        case "--no-ui" -> ui = Boolean.parseBoolean(demoOnly(demo, arg, "false"));
        case "--topology" -> {
          if (demo) {
            throw new IllegalArgumentException(
                "--topology is for standalone; the demo derives it from the scenario");
          }
          topology = Optional.of(Path.of(value(args, ++i, arg)));
        }
        case "--kafka-port" -> kafkaPort = parsePort(value(args, ++i, arg));
        case "--set" -> {
          String setting = value(args, ++i, arg);
          try {
            probe.set(setting);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--set: " + e.getMessage(), e);
          }
          settings.add(setting);
        }
        default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
      }
    }
    return new LaunchOptions(
        command, scenario, duration, report, ui, topology, kafkaPort, List.copyOf(settings));
  }

  /** {@code builder} with this launch's Kafka port and settings. */
  PlatformOptions.Builder applyTo(PlatformOptions.Builder builder) {
    builder.kafkaPort(kafkaPort);
    settings.forEach(builder::set);
    return builder;
  }

  /** {@code 90s}, {@code 2m}, {@code 1h} or an ISO-8601 duration such as {@code PT90S}. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (t.startsWith("pt")) {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } else {
        long amount = Long.parseLong(t.substring(0, t.length() - 1));
        d =
            switch (t.charAt(t.length() - 1)) {
              case 's' -> Duration.ofSeconds(amount);
              case 'm' -> Duration.ofMinutes(amount);
              case 'h' -> Duration.ofHours(amount);
              default -> throw new IllegalArgumentException();
            };
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException();
      }
      return d;
    } catch (DateTimeParseException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "--duration: '" + text + "' is not a positive duration such as 90s, 2m or 1h", e);
    }
  }

  private static String demoOnly(boolean demo, String option, String value) {
    if (!demo) {
      throw new IllegalArgumentException(option + " is an option of the demo");
    }
    return value;
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 1 || port > 65_535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--kafka-port: '" + text + "' is not a port in 1..65535", e);
    }
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size() || args.get(index).startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(index);
  }

  /** The report file, refused at once when its directory does not exist (the run takes minutes). */
  private static Path reportFile(String text) {
    Path file = Path.of(text).toAbsolutePath();
    Path dir = file.getParent();
    if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--report: directory " + dir + " does not exist");
    }
    if (java.nio.file.Files.isDirectory(file)) {
      throw new IllegalArgumentException("--report: " + file + " is a directory");
    }
    return Path.of(text);
  }
}
