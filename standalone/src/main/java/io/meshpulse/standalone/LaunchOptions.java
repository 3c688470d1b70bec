package io.meshpulse.standalone;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/** Command-line options of {@code ./meshpulse demo|standalone}. */
record LaunchOptions(String command, Duration duration, int kafkaPort) {
  static final int DEFAULT_KAFKA_PORT = 19092;

  static LaunchOptions parse(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("missing command: demo or standalone");
    }
    String command = args.get(0);
    if (!command.equals("demo") && !command.equals("standalone")) {
      throw new IllegalArgumentException("unknown command '" + command + "': demo or standalone");
    }
    Duration duration = command.equals("demo") ? Duration.ofSeconds(90) : Duration.ZERO;
    int kafkaPort = DEFAULT_KAFKA_PORT;
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--duration" -> duration = parseDuration(value(args, ++i, arg));
        case "--kafka-port" -> kafkaPort = parsePort(value(args, ++i, arg));
        default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
      }
    }
    return new LaunchOptions(command, duration, kafkaPort);
  }

  /** {@code 90s}, {@code 2m}, {@code 1h} or an ISO-8601 duration such as {@code PT90S}. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("pt")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      long amount = Long.parseLong(t.substring(0, t.length() - 1));
      Duration d =
          switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException();
          };
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException();
      }
      return d;
    } catch (DateTimeParseException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "--duration: '" + text + "' is not a positive duration such as 90s, 2m or 1h", e);
    }
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
    if (index >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(index);
  }
}
