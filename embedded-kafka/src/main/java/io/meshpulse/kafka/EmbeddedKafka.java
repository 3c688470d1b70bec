package io.meshpulse.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one process), started from
 * Kafka's own server classes. It can be stopped and started again on the same ports and data
 * directory, which is how tests simulate a broker outage.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
 *   kafka.createTopics(MeshTopics.all(3));
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final int port;
  private final int controllerPort;
  private final Path dataDir;
  private final boolean deleteDataDirOnClose;
  private final Map<String, String> brokerOverrides;
  private final @Nullable SaslUser saslUser;
  private final int saslPort;
  private final int relayedPort;
  private final int relayedAdvertisedPort;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private @Nullable KafkaRaftServer server;
  // @GuardedBy("lock")
  private Duration lastStartupTime = Duration.ZERO;

  private EmbeddedKafka(Builder builder) {
    // Picked together, so the broker's and the controller's (and SASL's) ports differ: two
    // single picks can return one port twice, which Kafka refuses.
    int[] free = freePorts(4);
    this.port = builder.port == 0 ? free[0] : builder.port;
    this.controllerPort = builder.controllerPort == 0 ? free[1] : builder.controllerPort;
    if (builder.dataDir == null) {
      try {
        this.dataDir = Files.createTempDirectory("meshpulse-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
      }
      this.deleteDataDirOnClose = true;
    } else {
      this.dataDir = builder.dataDir;
      this.deleteDataDirOnClose = false;
    }
    this.brokerOverrides = Map.copyOf(builder.brokerOverrides);
    this.saslUser = builder.saslUser;
    this.saslPort = saslUser == null ? 0 : free[2];
    this.relayedAdvertisedPort = builder.relayedAdvertisedPort;
    this.relayedPort = relayedAdvertisedPort == 0 ? 0 : free[3];
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the data directory on first use, starts the broker and waits until it answers metadata
   * requests. Starting a running broker does nothing.
   */
  public EmbeddedKafka start() {
    synchronized (lock) {
      if (server != null) {
        return this;
      }
      long begin = System.nanoTime();
      Properties props = brokerProperties();
      formatIfNeeded(props);
      KafkaRaftServer started = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
      try {
        started.startup();
      } catch (RuntimeException | Error e) {
        // The controller may be up while the broker failed (a port in use): its threads are not
        // daemons and would keep the JVM alive.
        try {
          started.shutdown();
          started.awaitShutdown();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      server = started;
      awaitReady();
      lastStartupTime = Duration.ofNanos(System.nanoTime() - begin);
      logger.info(
          "embedded Kafka ready bootstrap={} dataDir={} startupMs={}",
          bootstrapServers(),
          dataDir,
          lastStartupTime.toMillis());
      return this;
    }
  }

  /** Stops the broker but keeps its data, so {@link #start()} brings the same log back. */
  public void stop() {
    synchronized (lock) {
      KafkaRaftServer running = server;
      if (running == null) {
        return;
      }
      server = null;
      running.shutdown();
      running.awaitShutdown();
      logger.info("embedded Kafka stopped bootstrap={}", bootstrapServers());
    }
  }

  public boolean isRunning() {
    synchronized (lock) {
      return server != null;
    }
  }

  /** {@code 127.0.0.1:<port>}; stable across stop and start. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * {@code 127.0.0.1:<port>} of the second client listener, SASL_PLAINTEXT with the PLAIN
   * mechanism, which takes only the user of {@link Builder#saslPlainUser}.
   *
   * @throws IllegalStateException when the broker was built without one
   */
  public String saslBootstrapServers() {
    if (saslUser == null) {
      throw new IllegalStateException("built without Builder.saslPlainUser");
    }
    return "127.0.0.1:" + saslPort;
  }

  /**
   * The port the relayed listener ({@link Builder#relayedListener}) binds, which the relay forwards
   * to; clients do not connect to it themselves.
   *
   * @throws IllegalStateException when the broker was built without one
   */
  public int relayedListenerPort() {
    if (relayedPort == 0) {
      throw new IllegalStateException("built without Builder.relayedListener");
    }
    return relayedPort;
  }

  /**
   * {@code 127.0.0.1:<advertised port>} of the relayed listener: a client bootstrapped here is sent
   * to the relay for every connection to the broker, so the relay can cut it off alone.
   *
   * @throws IllegalStateException when the broker was built without one
   */
  public String relayedBootstrapServers() {
    relayedListenerPort();
    return "127.0.0.1:" + relayedAdvertisedPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** How long the last {@link #start()} took until the broker answered metadata requests. */
  public Duration startupTime() {
    synchronized (lock) {
      return lastStartupTime;
    }
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  public void createTopics(List<TopicSpec> topics) {
    try (Admin admin = admin()) {
      for (TopicSpec topic : topics) {
        try {
          admin.createTopics(List.of(topic.toNewTopic((short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
          }
        }
      }
      awaitTopics(admin, topics.stream().map(TopicSpec::name).collect(Collectors.toSet()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("topic creation timed out", e);
    }
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(config);
  }

  @Override
  public void close() {
    stop();
    if (deleteDataDirOnClose) {
      deleteRecursively(dataDir);
    }
  }

  private Properties brokerProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    String sasl = saslUser == null ? "" : ",SASL://127.0.0.1:" + saslPort;
    boolean relayed = relayedAdvertisedPort != 0;
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + port
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort
            + sasl
            + (relayed ? ",RELAYED://127.0.0.1:" + relayedPort : ""));
    p.put(
        "advertised.listeners",
        "PLAINTEXT://127.0.0.1:"
            + port
            + sasl
            + (relayed ? ",RELAYED://127.0.0.1:" + relayedAdvertisedPort : ""));
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            + (saslUser == null ? "" : ",SASL:SASL_PLAINTEXT")
            + (relayed ? ",RELAYED:PLAINTEXT" : ""));
    if (saslUser != null) {
      p.put("listener.name.sasl.sasl.enabled.mechanisms", "PLAIN");
      p.put(
          "listener.name.sasl.plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
              + saslUser.name()
              + "=\""
              + saslUser.password()
              + "\";");
    }
    p.put("log.dirs", dataDir.resolve("log").toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    // Short enough for Flink's EXACTLY_ONCE sink, whose transaction timeout must not exceed it.
    p.put("transaction.max.timeout.ms", "900000");
    p.putAll(brokerOverrides);
    return p;
  }

  private void formatIfNeeded(Properties props) {
    Path logDir = dataDir.resolve("log");
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(logDir);
      Path config = dataDir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "meshpulse embedded Kafka");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int exit;
      try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        exit =
            StorageTool.execute(
                new String[] {
                  "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()
                },
                print);
      }
      if (exit != 0) {
        throw new IllegalStateException(
            "formatting the Kafka data directory failed: "
                + output.toString(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data directory " + dataDir, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "embedded Kafka was not ready within " + READY_TIMEOUT, e);
          }
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  private static void awaitTopics(Admin admin, Set<String> names)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        Thread.sleep(50);
      }
    }
    throw new TimeoutException("topics " + names + " did not appear");
  }

  /** {@code n} distinct free ports: each socket stays bound until all are picked. */
  private static int[] freePorts(int n) {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets[i].setReuseAddress(true);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on the loopback interface", e);
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException e) {
            // nothing to do: it was only probed
          }
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      logger.warn("cannot delete Kafka data directory dir={}", dir, e);
    }
  }

  private record SaslUser(String name, String password) {}

  /** Ports default to free random ones; the data directory to a temporary one deleted on close. */
  public static final class Builder {
    private int port;
    private int controllerPort;
    private @Nullable Path dataDir;
    private final Map<String, String> brokerOverrides = new HashMap<>();
    private @Nullable SaslUser saslUser;
    private int relayedAdvertisedPort;

    private Builder() {}

    /**
     * Adds a plaintext client listener that the broker advertises at {@code advertisedPort}, where
     * a relay listens and forwards to {@link #relayedListenerPort()}. A client bootstrapped at
     * {@link #relayedBootstrapServers()} reaches the broker only through the relay, so a test can
     * cut that one client off (a network partition) while others go on.
     */
    public Builder relayedListener(int advertisedPort) {
      if (advertisedPort <= 0 || advertisedPort > 65_535) {
        throw new IllegalArgumentException(
            "advertisedPort must be in [1, 65535], was " + advertisedPort);
      }
      this.relayedAdvertisedPort = advertisedPort;
      return this;
    }

    /**
     * Adds a second client listener, SASL_PLAINTEXT with the PLAIN mechanism, that takes this one
     * user ({@link #saslBootstrapServers()}); the plaintext listener stays for set-up.
     */
    public Builder saslPlainUser(String name, String password) {
      this.saslUser = new SaslUser(name, password);
      return this;
    }

    /** The client port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = checkPort("port", port);
      return this;
    }

    /** The KRaft controller port; 0 (the default) picks a free one. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = checkPort("controllerPort", controllerPort);
      return this;
    }

    /** A data directory that outlives the broker; formatted on first start. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Any broker property, applied last. */
    public Builder brokerProperty(String key, String value) {
      brokerOverrides.put(key, value);
      return this;
    }

    public EmbeddedKafka build() {
      if (port != 0 && port == controllerPort) {
        throw new IllegalArgumentException(
            "port and controllerPort must differ, both were " + port);
      }
      return new EmbeddedKafka(this);
    }

    private static int checkPort(String name, int value) {
      if (value < 0 || value > 65_535) {
        throw new IllegalArgumentException(name + " must be in [0, 65535], was " + value);
      }
      return value;
    }
  }
}
