package io.meshpulse.standalone;

import io.meshpulse.streamprocessor.job.HealthJobOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Ports, files and settings of the platform on one machine. Defaults are the ports of the
 * architecture (ADS 18000, xds-control HTTP 18080, collector gRPC 19000 and HTTP 19080, Flink's
 * Prometheus reporter 19249, Kafka 19092); 0 picks a free port, which the tests use. Settings of
 * the health job ({@code meshpulse.health.*}) and of xds-control ({@code meshpulse.xds.*}) pass
 * through to them, except those the platform sets itself (Kafka, ports, data directories, the
 * topology file, the job's parallelism).
 */
record PlatformOptions(
    int kafkaPort,
    int collectorGrpcPort,
    int collectorHttpPort,
    int adsPort,
    int xdsHttpPort,
    int flinkPrometheusPort,
    Path topologyFile,
    Path dataDir,
    List<String> xdsProperties,
    Map<String, String> healthSettings) {
  private static final String HEALTH_PREFIX = "meshpulse.health.";
  private static final String XDS_PREFIX = "meshpulse.xds.";

  /** Health-job settings the platform sets itself: its broker, reporter port and data directory. */
  static final Set<String> PLATFORM_HEALTH_SETTINGS =
      Set.of(
          HealthJobOptions.BOOTSTRAP_SERVERS.key(),
          HealthJobOptions.PROMETHEUS_PORT.key(),
          HealthJobOptions.CHECKPOINT_DIRECTORY.key(),
          HealthJobOptions.PARALLELISM.key());

  /**
   * xds-control settings the platform sets itself: its topology file (given with --topology), the
   * ADS listener, the broker and the state directory; lower case, without dashes or underscores.
   */
  static final Set<String> PLATFORM_XDS_SETTINGS =
      Set.of(
          "meshpulse.xds.topologyfile",
          "meshpulse.xds.ads.port",
          "meshpulse.xds.ads.bindaddress",
          "meshpulse.xds.kafka.bootstrapservers",
          "meshpulse.xds.kafka.statedir");

  PlatformOptions {
    xdsProperties = List.copyOf(xdsProperties);
    healthSettings = Map.copyOf(healthSettings);
  }

  static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  static final class Builder {
    private final Path dataDir;
    private @Nullable Path topologyFile;
    private int kafkaPort = 19092;
    private int collectorGrpcPort = 19000;
    private int collectorHttpPort = 19080;
    private int adsPort = 18000;
    private int xdsHttpPort = 18080;
    private int flinkPrometheusPort = 19249;
    private final List<String> xdsProperties = new ArrayList<>();
    private final Map<String, String> healthSettings = new LinkedHashMap<>();

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    /** The topology file xds-control serves and watches. */
    Builder topology(Path topologyFile) {
      this.topologyFile = topologyFile;
      return this;
    }

    /** An extra xds-control property, {@code name=value} (for example the alert webhook's). */
    Builder xdsProperty(String property) {
      this.xdsProperties.add(property);
      return this;
    }

    /**
     * A setting {@code name=value} of the health job ({@code meshpulse.health.*}) or of xds-control
     * ({@code meshpulse.xds.*}); fails naming the setting when it is neither, is no option of the
     * health job, or is one the platform sets itself.
     */
    Builder set(String setting) {
      int eq = setting.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "setting '"
                + setting
                + "' is not name=value, such as meshpulse.health.window.slide=500ms");
      }
      String name = setting.substring(0, eq).trim();
      String value = setting.substring(eq + 1).trim();
      if (name.startsWith(XDS_PREFIX)) {
        // Given twice on xds-control's command line, Spring would join the two values with a
        // comma: a second broker, or a path with a comma in it.
        if (PLATFORM_XDS_SETTINGS.contains(canonical(name))) {
          throw new IllegalArgumentException("setting " + name + " is set by the platform itself");
        }
        return xdsProperty(name + "=" + value);
      }
      if (!name.startsWith(HEALTH_PREFIX)) {
        throw new IllegalArgumentException(
            "setting "
                + name
                + ": only the health job's (meshpulse.health.*) and xds-control's (meshpulse.xds.*)"
                + " settings can be given");
      }
      if (PLATFORM_HEALTH_SETTINGS.contains(name)) {
        throw new IllegalArgumentException("setting " + name + " is set by the platform itself");
      }
      HealthJobOptions.requireKnown(Map.of(name, value));
      healthSettings.put(name, value);
      return this;
    }

    /** A property name as Spring's relaxed binding compares it: no dashes or underscores. */
    private static String canonical(String name) {
      return name.replace("-", "").replace("_", "").toLowerCase(java.util.Locale.ROOT);
    }

    Builder kafkaPort(int port) {
      this.kafkaPort = port;
      return this;
    }

    /** Every port 0 except Kafka's, which {@link #kafkaPort} sets: for tests beside a demo. */
    Builder randomPorts() {
      collectorGrpcPort = 0;
      collectorHttpPort = 0;
      adsPort = 0;
      xdsHttpPort = 0;
      flinkPrometheusPort = 0;
      kafkaPort = 0;
      return this;
    }

    PlatformOptions build() {
      if (topologyFile == null) {
        throw new IllegalArgumentException("a topology file is required");
      }
      check("kafka port", kafkaPort);
      check("collector gRPC port", collectorGrpcPort);
      check("collector HTTP port", collectorHttpPort);
      check("ADS port", adsPort);
      check("xds-control HTTP port", xdsHttpPort);
      check("Flink Prometheus port", flinkPrometheusPort);
      return new PlatformOptions(
          kafkaPort,
          collectorGrpcPort,
          collectorHttpPort,
          adsPort,
          xdsHttpPort,
          flinkPrometheusPort,
          topologyFile,
          dataDir,
          xdsProperties,
          healthSettings);
    }

    private static void check(String name, int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(name + " must be in 0..65535, was " + port);
      }
    }
  }
}
