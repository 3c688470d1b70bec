package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meshpulse.model.MeshpulseBuild;
import io.meshpulse.tls.ReloadingTlsCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS gRPC server (state of the world and delta, plus the per-type discovery services) over
 * java-control-plane's {@link V3DiscoveryServer}.
 */
public final class AdsServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AdsServer.class);

  private final Server server;
  private final @Nullable ReloadingTlsCredentials tls;

  /** A plaintext server. */
  public AdsServer(String bindAddress, int port, XdsPublisher publisher, XdsMetrics metrics) {
    this(bindAddress, port, publisher, metrics, null);
  }

  /**
   * A server over TLS with {@code tls} (which it closes with itself), or plaintext without.
   *
   * @param tls the credentials, watched by the caller or not; closed with the server
   */
  public AdsServer(
      String bindAddress,
      int port,
      XdsPublisher publisher,
      XdsMetrics metrics,
      @Nullable ReloadingTlsCredentials tls) {
    V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(metrics), publisher.cache());
    InetSocketAddress address = new InetSocketAddress(bindAddress, port);
    this.tls = tls;
    try {
      this.server =
          (tls == null
                  ? NettyServerBuilder.forAddress(address)
                  : NettyServerBuilder.forAddress(address, tls.serverCredentials()))
              .addService(discovery.getAggregatedDiscoveryServiceImpl())
              .addService(discovery.getClusterDiscoveryServiceImpl())
              .addService(discovery.getEndpointDiscoveryServiceImpl())
              .addService(discovery.getListenerDiscoveryServiceImpl())
              .addService(discovery.getRouteDiscoveryServiceImpl())
              .keepAliveTime(30, TimeUnit.SECONDS)
              .permitKeepAliveTime(5, TimeUnit.SECONDS)
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      if (tls != null) {
        tls.close();
      }
      throw e instanceof IOException io
          ? new UncheckedIOException(
              "cannot start the ADS server on " + bindAddress + ":" + port, io)
          : (RuntimeException) e;
    }
    logger.info(
        "ADS server listening address={} port={} tls={} build={}",
        bindAddress,
        port(),
        tls != null,
        MeshpulseBuild.current());
  }

  /** The bound port (the real one when configured with 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    if (tls != null) {
      tls.close();
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
