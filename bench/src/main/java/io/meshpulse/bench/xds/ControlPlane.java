package io.meshpulse.bench.xds;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.xds.XdsControlApplication;
import io.meshpulse.xds.XdsControlRuntime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * xds-control started in this JVM as the standalone runtime starts it, on random ports, against an
 * embedded Kafka broker, serving a generated topology.
 */
final class ControlPlane implements AutoCloseable {
  private final EmbeddedKafka kafka;
  private final ConfigurableApplicationContext context;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Path topologyFile;

  ControlPlane(Path dir, BenchTopology topology) throws IOException {
    kafka = EmbeddedKafka.builder().port(0).dataDir(dir.resolve("kafka")).build().start();
    kafka.createTopics(MeshTopics.all(1));
    topologyFile = dir.resolve("topology.yml");
    Files.writeString(topologyFile, topology.yaml());
    List<String> props = new ArrayList<>();
    for (String p : XdsControlApplication.DEFAULT_PROPERTIES) {
      props.add(p);
    }
    props.add("server.port=0");
    props.add("server.address=127.0.0.1");
    props.add("meshpulse.xds.topology-file=" + topologyFile);
    props.add("meshpulse.xds.ads.port=0");
    props.add("meshpulse.xds.ads.bind-address=127.0.0.1");
    props.add("meshpulse.xds.kafka.bootstrap-servers=" + kafka.bootstrapServers());
    props.add("meshpulse.xds.kafka.application-id=meshpulse-bench-xds");
    props.add("meshpulse.xds.kafka.state-dir=" + dir.resolve("streams"));
    try {
      context =
          new SpringApplicationBuilder(XdsControlApplication.class)
              .properties(props.toArray(String[]::new))
              .run();
    } catch (RuntimeException | LinkageError e) {
      kafka.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  XdsControlRuntime runtime() {
    return context.getBean(XdsControlRuntime.class);
  }

  int adsPort() {
    return runtime().adsPort();
  }

  void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!runtime().loop().view().ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("xds-control not ready within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Serves a new topology (written over the file xds-control polls) and waits until the policy loop
   * has published it with {@code services} services.
   */
  void serve(String yaml, int services, Duration timeout) throws Exception {
    Path next = topologyFile.resolveSibling("topology.yml.next");
    Files.writeString(next, yaml);
    Files.move(next, topologyFile, StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (runtime().loop().view().served().services().size() != services) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the new topology (" + services + " services) not served within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** Pins one endpoint's weight through {@code POST /api/v1/overrides}; fails unless 201. */
  void pinWeight(String service, String endpoint, int weight) throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    String body =
        String.format(
            "{\"cluster\":\"%s\",\"endpoint\":\"%s\",\"weight\":%d,\"reason\":\"bench xds\"}",
            service, endpoint, weight);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/overrides"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "override refused: " + response.statusCode() + " " + response.body());
    }
  }

  @Override
  public void close() {
    context.close();
    kafka.close();
  }
}
