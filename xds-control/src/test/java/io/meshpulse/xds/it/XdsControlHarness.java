package io.meshpulse.xds.it;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.model.ProtoSerializer;
import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.model.v1.ServiceHealth;
import io.meshpulse.xds.XdsControlApplication;
import io.meshpulse.xds.XdsControlRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts xds-control as the standalone runtime would, against an embedded Kafka. */
final class XdsControlHarness implements AutoCloseable {
  private final ConfigurableApplicationContext context;
  private final HttpClient http;

  XdsControlHarness(
      EmbeddedKafka kafka, Path topology, Path stateDir, String appId, String... extra) {
    this(null, kafka, topology, stateDir, appId, extra);
  }

  /** With {@code onLoss} in place of exiting the JVM when the instance loses the leader lease. */
  static XdsControlHarness withLossHandler(
      XdsControlApplication.LeadershipLossHandler onLoss,
      EmbeddedKafka kafka,
      Path topology,
      Path stateDir,
      String appId,
      String... extra) {
    return new XdsControlHarness(onLoss, kafka, topology, stateDir, appId, extra);
  }

  private XdsControlHarness(
      XdsControlApplication.@Nullable LeadershipLossHandler onLoss,
      EmbeddedKafka kafka,
      Path topology,
      Path stateDir,
      String appId,
      String... extra) {
    List<String> props = new ArrayList<>();
    props.add("spring.config.name=xds-control");
    props.add("server.port=0");
    props.add("server.address=127.0.0.1");
    props.add("meshpulse.xds.topology-file=" + topology);
    props.add("meshpulse.xds.ads.port=0");
    props.add("meshpulse.xds.ads.bind-address=127.0.0.1");
    props.add("meshpulse.xds.kafka.bootstrap-servers=" + kafka.bootstrapServers());
    props.add("meshpulse.xds.kafka.application-id=" + appId);
    props.add("meshpulse.xds.kafka.state-dir=" + stateDir);
    props.addAll(List.of(extra));
    SpringApplicationBuilder builder =
        new SpringApplicationBuilder(XdsControlApplication.class)
            .properties(props.toArray(String[]::new));
    if (onLoss != null) {
      builder.initializers(
          c ->
              c.getBeanFactory()
                  .registerSingleton(
                      "leadershipLossHandler",
                      (XdsControlApplication.LeadershipLossHandler) onLoss));
    }
    context = builder.run();
    // After the start: a start that fails leaves no client (and no selector thread) behind.
    http = HttpClient.newHttpClient();
  }

  /** An embedded broker on a free port with every mesh topic (one partition each). */
  static EmbeddedKafka startKafka() {
    return startKafka(EmbeddedKafka.builder().port(0));
  }

  /** A broker from {@code builder} with every mesh topic (one partition each). */
  static EmbeddedKafka startKafka(EmbeddedKafka.Builder builder) {
    EmbeddedKafka kafka = builder.build().start();
    kafka.createTopics(MeshTopics.all(1));
    return kafka;
  }

  /**
   * Closes each part that is not null, in the order given (the last one started first), going on
   * after a failure; the first failure is thrown at the end, the others suppressed in it.
   */
  static void closeAll(@Nullable AutoCloseable... parts) throws Exception {
    Exception first = null;
    for (AutoCloseable part : parts) {
      if (part == null) {
        continue;
      }
      try {
        part.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  XdsControlRuntime runtime() {
    return context.getBean(XdsControlRuntime.class);
  }

  /** The ports of {@code service}'s endpoints the loop's intended routing ejects. */
  List<Integer> ejected(String service) {
    return ejected(runtime().loop().view().intended(), service);
  }

  /** The ports of {@code service}'s endpoints {@code table} ejects. */
  static List<Integer> ejected(io.meshpulse.xds.policy.RoutingTable table, String service) {
    var routing = table.services().get(service);
    if (routing == null) {
      return List.of();
    }
    return routing.endpoints().stream()
        .filter(io.meshpulse.xds.policy.EndpointRouting::ejected)
        .map(e -> e.id().port())
        .toList();
  }

  int adsPort() {
    return runtime().adsPort();
  }

  /** The value of the gauge {@code name} (dotted, as registered); fails when there is none. */
  double gauge(String name) {
    return context
        .getBean(io.micrometer.core.instrument.MeterRegistry.class)
        .get(name)
        .gauge()
        .value();
  }

  int httpPort() {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body, null);
  }

  /** With {@code Authorization: <authorization>} when it is not null. */
  HttpResponse<String> send(String method, String path, String body, @Nullable String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  void awaitReady(Duration timeout) {
    await(() -> runtime().loop().view().ready(), timeout, "xds-control ready");
  }

  @Override
  public void close() {
    context.close();
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /**
   * Like the stream processor: every endpoint's latest verdict, sent again every {@code interval}
   * from {@link #start()} until closed. Verdicts are set with {@link #put}.
   */
  static final class HealthPipeline implements AutoCloseable {
    private record Key(String cluster, int port) {}

    private final HealthProducer producer;
    private final Duration interval;
    private final Map<Key, HealthState> desired = new ConcurrentHashMap<>();
    private final Thread thread = new Thread(this::run, "test-health-pipeline");
    private volatile boolean running = true;

    HealthPipeline(HealthProducer producer, Duration interval) {
      this.producer = producer;
      this.interval = interval;
    }

    void put(String cluster, int port, HealthState state) {
      desired.put(new Key(cluster, port), state);
    }

    HealthPipeline start() {
      thread.start();
      return this;
    }

    static double score(HealthState state) {
      return switch (state) {
        case HEALTH_STATE_UNHEALTHY -> 0.05;
        case HEALTH_STATE_DEGRADED -> 0.5;
        default -> 0.97;
      };
    }

    private void run() {
      while (running) {
        try {
          for (Map.Entry<Key, HealthState> e : desired.entrySet()) {
            Key k = e.getKey();
            producer.send(k.cluster(), "127.0.0.1", k.port(), e.getValue(), score(e.getValue()));
          }
          Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          LoggerFactory.getLogger(HealthPipeline.class).warn("health producer failed", e);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(5000);
    }
  }

  /** Produces health records as the stream processor would. */
  static final class HealthProducer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    HealthProducer(EmbeddedKafka kafka) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends and waits for the broker's ack: the moment the record has arrived. */
    Instant send(String cluster, String address, int port, HealthState state, double score)
        throws Exception {
      EndpointHealth h =
          EndpointHealth.newBuilder()
              .setCluster(cluster)
              .setSubset("v1")
              .setEndpoint(Endpoint.newBuilder().setAddress(address).setPort(port))
              .setState(state)
              .setScore(score)
              .setConfidence(0.95)
              .setRequests(500)
              .setEmittedUnixMillis(System.currentTimeMillis())
              .addReasons("test: " + state)
              .build();
      producer
          .send(
              new ProducerRecord<>(
                  io.meshpulse.model.Topics.ENDPOINT_HEALTH,
                  RecordKeys.of(h),
                  new ProtoSerializer<EndpointHealth>().serialize("", h)))
          .get();
      return Instant.now();
    }

    /**
     * Every port of {@code 127.0.0.1:from..to} of {@code cluster} healthy, but {@code unhealthy}:
     * the verdicts that make the policy eject that one endpoint.
     */
    void sendOneUnhealthy(String cluster, int from, int to, int unhealthy) throws Exception {
      for (int port = from; port <= to; port++) {
        boolean bad = port == unhealthy;
        send(
            cluster,
            "127.0.0.1",
            port,
            bad ? HealthState.HEALTH_STATE_UNHEALTHY : HealthState.HEALTH_STATE_HEALTHY,
            bad ? 0.05 : 0.97);
      }
    }

    /** A subset's record ({@code mesh.service-health.v1}, key {@code <cluster>/<subset>}). */
    void sendSubset(String cluster, String subset, HealthState state, long requests)
        throws Exception {
      ServiceHealth h =
          ServiceHealth.newBuilder()
              .setCluster(cluster)
              .setSubset(subset)
              .setState(state)
              .setScore(state == HealthState.HEALTH_STATE_UNHEALTHY ? 0.2 : 0.98)
              .setRequests(requests)
              .setEmittedUnixMillis(System.currentTimeMillis())
              .addReasons("test: " + state)
              .build();
      sendRaw(io.meshpulse.model.Topics.SERVICE_HEALTH, RecordKeys.of(h), h.toByteArray());
    }

    void sendRaw(String topic, String key, byte[] value) throws Exception {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(2));
    }
  }
}
