package io.meshpulse.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The apps' default ports, read from where the apps define them, so the chart and the images are
 * checked against the code rather than against a second copy of the numbers.
 */
public final class AppDefaults {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** The collector's gRPC port: {@code meshpulse.collector.grpc.port}. */
  public static final int COLLECTOR_GRPC =
      find(
          "collector/src/main/java/io/meshpulse/collector/CollectorProperties.java",
          "record Grpc\\(\\s*@DefaultValue\\(\"(\\d+)\"\\) int port");

  /** The collector's HTTP port (actuator): its {@code server.port} default. */
  public static final int COLLECTOR_HTTP =
      find(
          "collector/src/main/java/io/meshpulse/collector/CollectorConfiguration.java",
          "DEFAULT_HTTP_PORT = (\\d+);");

  /** xds-control's ADS port: {@code meshpulse.xds.ads.port}. */
  public static final int XDS_ADS =
      find(
          "xds-control/src/main/java/io/meshpulse/xds/XdsControlProperties.java",
          "record Ads\\((?:(?!record ).)*?@DefaultValue\\(\"(\\d+)\"\\)[^,]*? int port[,)]");

  /** xds-control's HTTP port: the {@code server.port} its main class sets. */
  public static final int XDS_HTTP =
      find(
          "xds-control/src/main/java/io/meshpulse/xds/XdsControlApplication.java",
          "\"server\\.port=(\\d+)\"");

  /** Flink's Prometheus reporter port in the health job's options. */
  public static final int FLINK_PROMETHEUS =
      find(
          "stream-processor/src/main/java/io/meshpulse/streamprocessor/job/HealthJobOptions.java",
          "\"metrics\\.prometheus-port\"\\)\\s*\\.intType\\(\\)\\s*\\.defaultValue\\((\\d+)\\)");

  /** Where the stream-processor image holds the shaded job jar (stream-processor/pom.xml). */
  public static final String JOB_JAR_IN_IMAGE = "/opt/flink/usrlib/meshpulse-health-job.jar";

  /** The Flink image's flink user and group, which the job image runs as. */
  public static final int FLINK_UID = 9999;

  /** The user and group the collector and xds-control images run as (the parent POM's Jib user). */
  public static final int APP_UID = 65532;

  private AppDefaults() {}

  /** The text of a file of the project, relative to its root. */
  public static String source(String file) {
    try {
      return Files.readString(ROOT.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int find(String file, String regex) {
    String source = source(file);
    Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(source);
    if (!m.find()) {
      throw new IllegalStateException("no match for " + regex + " in " + file);
    }
    int port = Integer.parseInt(m.group(1));
    if (m.find()) {
      throw new IllegalStateException("more than one match for " + regex + " in " + file);
    }
    return port;
  }
}
