package io.meshpulse.standalone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Ports and files of the platform on one machine. Defaults are the ports of the architecture (ADS
 * 18000, xds-control HTTP 18080, collector gRPC 19000 and HTTP 19080, Flink's Prometheus reporter
 * 19249, Kafka 19092); 0 picks a free port, which the tests use.
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
    List<String> xdsProperties) {

  PlatformOptions {
    xdsProperties = List.copyOf(xdsProperties);
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
          xdsProperties);
    }

    private static void check(String name, int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(name + " must be in 0..65535, was " + port);
      }
    }
  }
}
