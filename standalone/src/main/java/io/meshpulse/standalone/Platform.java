package io.meshpulse.standalone;

import io.meshpulse.collector.CollectorApplication;
import io.meshpulse.collector.CollectorGrpcServer;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import io.meshpulse.streamprocessor.job.HealthJob;
import io.meshpulse.streamprocessor.job.HealthJobOptions;
import io.meshpulse.xds.XdsControlApplication;
import io.meshpulse.xds.XdsControlProperties;
import io.meshpulse.xds.XdsControlRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole platform in this JVM: an embedded KRaft Kafka, the collector, the Flink health job in a
 * MiniCluster and xds-control. Started in data-flow order and stopped in reverse.
 */
final class Platform implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Platform.class);
  private static final Duration LEASE_WAIT = Duration.ofSeconds(60);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final EmbeddedKafka kafka;
  private final int collectorGrpcPort;
  private final int collectorHttpPort;
  private final int adsPort;
  private final XdsControlRuntime xdsControl;
  private final int xdsHttpPort;
  private final int flinkPrometheusPort;
  private final Duration startupTime;

  private Platform(PlatformOptions options) {
    long begin = System.nanoTime();
    try {
      kafka =
          EmbeddedKafka.builder()
              .port(options.kafkaPort())
              .dataDir(options.dataDir().resolve("kafka"))
              .build();
      kafka.start();
      started.push(kafka);
      kafka.createTopics(MeshTopics.all(3));
      logger.info("kafka ready bootstrap={}", kafka.bootstrapServers());

      ConfigurableApplicationContext collector =
          CollectorApplication.builder()
              .bannerMode(Banner.Mode.OFF)
              .logStartupInfo(false)
              .run(
                  "--meshpulse.collector.grpc.port=" + options.collectorGrpcPort(),
                  "--meshpulse.collector.grpc.bind-address=127.0.0.1",
                  "--server.port=" + options.collectorHttpPort(),
                  "--server.address=127.0.0.1",
                  "--meshpulse.collector.kafka.bootstrap-servers=" + kafka.bootstrapServers());
      started.push(collector::close);
      collectorGrpcPort = collector.getBean(CollectorGrpcServer.class).port();
      collectorHttpPort = httpPort(collector);
      logger.info("collector ready grpcPort={} httpPort={}", collectorGrpcPort, collectorHttpPort);

      flinkPrometheusPort =
          options.flinkPrometheusPort() == 0 ? freePort() : options.flinkPrometheusPort();
      JobClient job = startHealthJob(options, kafka.bootstrapServers(), flinkPrometheusPort);
      started.push(() -> cancel(job));
      logger.info(
          "flink job submitted jobId={} prometheusPort={}", job.getJobID(), flinkPrometheusPort);

      ConfigurableApplicationContext xds =
          startXdsControl(xdsArguments(options, kafka.bootstrapServers()));
      started.push(xds::close);
      xdsControl = xds.getBean(XdsControlRuntime.class);
      adsPort = awaitAds(xdsControl);
      xdsHttpPort = httpPort(xds);
      logger.info("xds-control ready adsPort={} httpPort={}", adsPort, xdsHttpPort);
      startupTime = Duration.ofNanos(System.nanoTime() - begin);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * xds-control in this JVM, with {@code args} on its command line. With leader election, a lost
   * lease stops it and is logged, rather than exiting the JVM the whole platform shares.
   */
  static ConfigurableApplicationContext startXdsControl(String... args) {
    return new SpringApplicationBuilder(XdsControlApplication.class)
        .properties("spring.config.name=xds-control")
        .bannerMode(Banner.Mode.OFF)
        .logStartupInfo(false)
        .initializers(
            c ->
                c.getBeanFactory()
                    .registerSingleton(
                        "leadershipLossHandler",
                        (XdsControlApplication.LeadershipLossHandler)
                            reason ->
                                logger.error(
                                    "xds-control lost the leader lease and stopped: {}", reason)))
        .run(args);
  }

  /**
   * The bound ADS port. With leader election ({@code meshpulse.xds.leader-election.enabled}) it is
   * bound once this instance takes the lease, which, started first, it does within seconds.
   */
  private static int awaitAds(XdsControlRuntime xds) {
    long deadline = System.nanoTime() + LEASE_WAIT.toNanos();
    while (xds.adsPort() < 0) {
      if (System.nanoTime() > deadline || "lost".equals(xds.role())) {
        throw new IllegalStateException(
            "xds-control did not take the leader lease within "
                + LEASE_WAIT.toSeconds()
                + " s (meshpulse.xds.leader-election): another instance holds it, or Kafka does"
                + " not answer");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for xds-control's leader lease", e);
      }
    }
    return xds.adsPort();
  }

  private static String[] xdsArguments(PlatformOptions options, String bootstrap) {
    List<String> args = new ArrayList<>();
    args.add("--meshpulse.xds.topology-file=" + options.topologyFile());
    args.add("--meshpulse.xds.ads.port=" + options.adsPort());
    args.add("--meshpulse.xds.ads.bind-address=127.0.0.1");
    args.add("--server.port=" + options.xdsHttpPort());
    args.add("--server.address=127.0.0.1");
    args.add("--meshpulse.xds.kafka.bootstrap-servers=" + bootstrap);
    args.add("--meshpulse.xds.kafka.state-dir=" + options.dataDir().resolve("xds-streams"));
    options.xdsProperties().forEach(p -> args.add("--" + p));
    return args.toArray(String[]::new);
  }

  static Platform start(PlatformOptions options) {
    requireFreePorts(options);
    requireValidSettings(options);
    try {
      Files.createDirectories(options.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + options.dataDir(), e);
    }
    return new Platform(options);
  }

  /**
   * Fails naming the first bad {@code --set} before anything starts: a health-job value of the
   * wrong type or out of its range, an xds-control property that does not exist (Spring would
   * ignore it) or whose value does not bind.
   */
  static void requireValidSettings(PlatformOptions options) {
    HealthJob.validate(Configuration.fromMap(options.healthSettings()));
    Map<String, Object> xds = new java.util.LinkedHashMap<>();
    xds.put("meshpulse.xds.topology-file", String.valueOf(options.topologyFile()));
    for (String property : options.xdsProperties()) {
      int eq = property.indexOf('=');
      xds.put(property.substring(0, eq), property.substring(eq + 1));
    }
    try {
      new org.springframework.boot.context.properties.bind.Binder(
              new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(
                  xds))
          .bind(
              "meshpulse.xds",
              org.springframework.boot.context.properties.bind.Bindable.of(
                  XdsControlProperties.class),
              new org.springframework.boot.context.properties.bind.handler
                  .NoUnboundElementsBindHandler(
                  org.springframework.boot.context.properties.bind.BindHandler.DEFAULT));
    } catch (org.springframework.boot.context.properties.bind.BindException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause
          instanceof
          org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException
              unbound) {
        throw new IllegalArgumentException(
            "xds-control has no setting "
                + unbound.getUnboundProperties().iterator().next().getName()
                + " (its settings are in docs/routing-policy.md and docs/operations.md)",
            e);
      }
      throw new IllegalArgumentException(
          "xds-control setting "
              + (e.getProperty() == null ? e.getName() : e.getProperty().getName())
              + ": "
              + cause.getMessage(),
          e);
    }
  }

  /**
   * Fails, naming the port and what it is for, when one of the fixed ports cannot be bound on
   * 127.0.0.1 (another meshpulse, or anything else, holds it), before anything starts: a component
   * that fails to bind half-way leaves the ones before it to stop, and Kafka's threads would keep
   * the JVM alive.
   */
  static void requireFreePorts(PlatformOptions options) {
    Map<String, Integer> ports = new java.util.LinkedHashMap<>();
    ports.put("Kafka (--kafka-port)", options.kafkaPort());
    ports.put("the collector's gRPC (ALS, MetricsService)", options.collectorGrpcPort());
    ports.put("the collector's HTTP", options.collectorHttpPort());
    ports.put("xds-control's ADS", options.adsPort());
    ports.put("xds-control's HTTP API", options.xdsHttpPort());
    ports.put("the health job's Prometheus reporter", options.flinkPrometheusPort());
    for (Map.Entry<String, Integer> p : ports.entrySet()) {
      int port = p.getValue();
      if (port == 0) {
        continue; // a free one is picked
      }
      try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
        socket.bind(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1);
      } catch (IOException e) {
        throw new IllegalStateException(
            "port "
                + port
                + " for "
                + p.getKey()
                + " is in use on 127.0.0.1 (is another meshpulse running?): "
                + e.getMessage());
      }
    }
  }

  private static JobClient startHealthJob(
      PlatformOptions options, String bootstrap, int prometheusPort) {
    Map<String, String> settings = new HashMap<>(options.healthSettings());
    settings.put(HealthJobOptions.BOOTSTRAP_SERVERS.key(), bootstrap);
    settings.put(HealthJobOptions.PROMETHEUS_PORT.key(), String.valueOf(prometheusPort));
    settings.put(
        HealthJobOptions.CHECKPOINT_DIRECTORY.key(),
        options.dataDir().resolve("checkpoints").toUri().toString());
    settings.put(HealthJobOptions.PARALLELISM.key(), "1");
    Configuration conf = Configuration.fromMap(settings);
    Configuration envConf = HealthJob.clusterConfiguration(conf);
    envConf.addAll(conf);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(envConf);
    HealthJob.define(env, conf);
    try {
      return env.executeAsync(conf.get(HealthJobOptions.JOB_NAME));
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the Flink health job", e);
    }
  }

  private static void cancel(JobClient job) throws Exception {
    job.cancel().get(30, TimeUnit.SECONDS);
  }

  String kafkaBootstrap() {
    return kafka.bootstrapServers();
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  String collectorTarget() {
    return "127.0.0.1:" + collectorGrpcPort;
  }

  String adsTarget() {
    return "127.0.0.1:" + adsPort;
  }

  int adsPort() {
    return adsPort;
  }

  String xdsHttpUrl() {
    return "http://127.0.0.1:" + xdsHttpPort;
  }

  String collectorHttpUrl() {
    return "http://127.0.0.1:" + collectorHttpPort;
  }

  int flinkPrometheusPort() {
    return flinkPrometheusPort;
  }

  /** xds-control's runtime, for tests that wait on its routing state. */
  XdsControlRuntime xdsControl() {
    return xdsControl;
  }

  Duration startupTime() {
    return startupTime;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        logger.warn("error while stopping a part of the platform", e);
      }
    }
  }

  private static int httpPort(ConfigurableApplicationContext context) {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
