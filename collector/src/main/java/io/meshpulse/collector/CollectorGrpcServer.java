package io.meshpulse.collector;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meshpulse.model.MeshpulseBuild;
import io.meshpulse.tls.ReloadingTlsCredentials;
import io.meshpulse.tls.TlsFiles;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The collector's gRPC listener, a plain grpc-java Netty server started and stopped with the
 * application context. It stops before the Kafka sink drains, so records accepted from proxies are
 * flushed after the last stream is closed.
 */
public final class CollectorGrpcServer implements SmartLifecycle {
  private static final Logger logger = LoggerFactory.getLogger(CollectorGrpcServer.class);

  private final CollectorProperties.Grpc config;
  private final List<ServerServiceDefinition> services;
  private final ServerStreamTracer.Factory tracer;
  private final MeterRegistry registry;
  private volatile @Nullable Server server;
  private volatile @Nullable ExecutorService executor;
  private volatile @Nullable ReloadingTlsCredentials credentials;

  public CollectorGrpcServer(
      CollectorProperties.Grpc config,
      List<ServerServiceDefinition> services,
      ServerStreamTracer.Factory tracer,
      MeterRegistry registry) {
    this.config = config;
    this.services = services;
    this.tracer = tracer;
    this.registry = registry;
  }

  @Override
  public void start() {
    InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.port());
    CollectorProperties.Tls tls = config.tls();
    TlsFiles files = tls.files();
    ReloadingTlsCredentials credentials =
        files == null
            ? null
            : ReloadingTlsCredentials.open(files, tls.reloadInterval(), "collector-grpc", registry);
    NettyServerBuilder builder =
        (credentials == null
                ? NettyServerBuilder.forAddress(address)
                : NettyServerBuilder.forAddress(address, credentials.serverCredentials()))
            .maxInboundMessageSize((int) config.maxInboundMessageSize().toBytes())
            // Envoy may ping its gRPC connections (HTTP/2 connection_keepalive), and the
            // collector sends nothing on a stream until it ends. gRPC's default allows a ping
            // every 5 minutes and closes the connection, with its streams, at the third earlier.
            .permitKeepAliveTime(5, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addStreamTracerFactory(tracer);
    if (!config.maxConnectionAge().isZero()) {
      // Proxies reconnect, through the Service, to any collector: new replicas get their share.
      builder
          .maxConnectionAge(config.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
          .maxConnectionAgeGrace(config.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
    }
    services.forEach(builder::addService);
    ExecutorService handlers = handlerExecutor();
    builder.executor(handlers);
    try {
      Server started = builder.build().start();
      server = started;
      executor = handlers;
      this.credentials = credentials;
      logger.info(
          "gRPC listening address={} port={} tls={} mtls={} tls-reload-interval={}"
              + " max-connection-age={} build={}",
          config.bindAddress(),
          started.getPort(),
          files != null,
          files != null && files.trustCa() != null,
          files == null || tls.reloadInterval().isZero() ? "off" : tls.reloadInterval(),
          config.maxConnectionAge().isZero() ? "off" : config.maxConnectionAge(),
          MeshpulseBuild.current());
    } catch (IOException e) {
      handlers.shutdownNow();
      if (credentials != null) {
        credentials.close();
      }
      throw new UncheckedIOException("cannot start the gRPC server on port " + config.port(), e);
    }
  }

  /**
   * The threads that run the services' handlers (decode, map, admit to the buffer): one per core.
   * The handlers never block (a full buffer parks a stream's next read instead), so more threads
   * than cores only add context switches; gRPC's default, a cached pool, grows to one thread per
   * busy stream.
   */
  private static ExecutorService handlerExecutor() {
    AtomicInteger ids = new AtomicInteger();
    return Executors.newFixedThreadPool(
        Runtime.getRuntime().availableProcessors(),
        task -> {
          Thread thread = new Thread(task, "grpc-collector-" + ids.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /** The port the server is bound to (the configured one, or the random one for port 0). */
  public int port() {
    Server current = server;
    if (current == null) {
      throw new IllegalStateException("the gRPC server is not running");
    }
    return current.getPort();
  }

  @Override
  public void stop() {
    Server current = server;
    if (current == null) {
      return;
    }
    ReloadingTlsCredentials tls = credentials;
    if (tls != null) {
      tls.close();
      credentials = null;
    }
    current.shutdown();
    try {
      if (!current.awaitTermination(
          config.shutdownGracePeriod().toMillis(), TimeUnit.MILLISECONDS)) {
        current.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      current.shutdownNow();
    }
    server = null;
    ExecutorService handlers = executor;
    if (handlers != null) {
      // The server's termination does not wait for messages already queued to the handlers:
      // they run now, while the sink still writes, not after it stopped.
      handlers.shutdown();
      try {
        if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
          logger.warn("stream handlers still busy 5 s after the gRPC server stopped");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      executor = null;
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }
}
