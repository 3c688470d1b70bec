package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.MeshSerdes;
import io.meshpulse.model.Topics;
import io.meshpulse.model.v1.ProxyStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * A real Envoy (the official image) bootstrapped against the standalone platform: ADS to
 * xds-control, stats to the collector. Runs only where a Docker engine exists; the simulated fleet
 * and the proxyless gRPC clients cover the same protocols everywhere else.
 */
@org.testcontainers.junit.jupiter.Testcontainers(disabledWithoutDocker = true)
class EnvoyContainerIT {
  static final String ENVOY_IMAGE = "envoyproxy/envoy:v1.34.1";
  static final String NODE_ID = "sidecar~10.0.0.1~envoy-it-1.default~default.svc.cluster.local";

  private static Path dataDir;
  private static Platform platform;
  private static GenericContainer<?> envoy;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("meshpulse-envoy-it-");
    Path topology = dataDir.resolve("topology.yaml");
    Files.writeString(
        topology,
        """
        services:
          - name: echo
            port: 10000
            protocol: http
            subsets:
              - name: v1
                labels: {version: v1}
                endpoints:
                  - {address: 127.0.0.1, port: 18999}
        """);
    platform =
        Platform.start(PlatformOptions.builder(dataDir).randomPorts().topology(topology).build());
    int ads = Integer.parseInt(platform.adsTarget().split(":")[1]);
    int collector = Integer.parseInt(platform.collectorTarget().split(":")[1]);
    Testcontainers.exposeHostPorts(ads, collector);
    envoy =
        new GenericContainer<>(ENVOY_IMAGE)
            .withCopyToContainer(Transferable.of(bootstrap(ads, collector)), "/etc/envoy/it.yaml")
            .withCommand("envoy", "-c", "/etc/envoy/it.yaml", "--log-level", "info");
    envoy.start();
  }

  @AfterAll
  static void stop() {
    if (envoy != null) {
      envoy.stop();
    }
    if (platform != null) {
      platform.close();
    }
    if (dataDir != null) {
      Demo.deleteQuietly(dataDir);
    }
  }

  @Test
  void envoy_connectsOverAds_andStreamsStatsToTheCollector() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String metrics = "";
    while (System.nanoTime() < deadline && !metrics.contains("meshpulse_xds_connected_proxies 1")) {
      metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(platform.xdsHttpUrl() + "/actuator/prometheus"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Thread.sleep(500);
    }
    assertThat(metrics).as("xds-control metrics").contains("meshpulse_xds_connected_proxies 1");

    try (KafkaConsumer<String, ProxyStats> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "envoy-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            MeshSerdes.proxyStats().deserializer())) {
      consumer.subscribe(List.of(Topics.PROXY_STATS));
      ProxyStats found = null;
      while (found == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, ProxyStats> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value().getNodeId().equals(NODE_ID)) {
            found = r.value();
          }
        }
      }
      assertThat(found).as("stats from the Envoy container on %s", Topics.PROXY_STATS).isNotNull();
      assertThat(found.getSamplesCount()).as("stat samples").isGreaterThan(0);
    }
  }

  private static String bootstrap(int ads, int collector) {
    return """
        node:
          id: %s
          cluster: envoy-it
        dynamic_resources:
          ads_config:
            api_type: GRPC
            transport_api_version: V3
            grpc_services: [{envoy_grpc: {cluster_name: meshpulse_xds}}]
          cds_config: {ads: {}, resource_api_version: V3}
          lds_config: {ads: {}, resource_api_version: V3}
        stats_sinks:
          - name: envoy.stat_sinks.metrics_service
            typed_config:
              "@type": type.googleapis.com/envoy.config.metrics.v3.MetricsServiceConfig
              transport_api_version: V3
              grpc_service: {envoy_grpc: {cluster_name: meshpulse_collector}}
        stats_flush_interval: 1s
        static_resources:
          clusters:
        %s%s
        """
        .formatted(
            NODE_ID, cluster("meshpulse_xds", ads), cluster("meshpulse_collector", collector));
  }

  private static String cluster(String name, int port) {
    return """
            - name: %1$s
              type: STRICT_DNS
              connect_timeout: 1s
              typed_extension_protocol_options:
                envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                  "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                  explicit_http_config: {http2_protocol_options: {}}
              load_assignment:
                cluster_name: %1$s
                endpoints:
                  - lb_endpoints:
                      - endpoint: {address: {socket_address: {address: host.testcontainers.internal, port_value: %2$d}}}
        """
        .formatted(name, port);
  }
}
