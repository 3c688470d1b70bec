package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS gRPC server (state of the world and delta, plus the per-type discovery services) over
 * java-control-plane's {@link V3DiscoveryServer}.
 */
public final class AdsServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AdsServer.class);

  private final Server server;

  public AdsServer(String bindAddress, int port, XdsPublisher publisher, XdsMetrics metrics) {
    V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(metrics), publisher.cache());
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .addService(discovery.getClusterDiscoveryServiceImpl())
            .addService(discovery.getEndpointDiscoveryServiceImpl())
            .addService(discovery.getListenerDiscoveryServiceImpl())
            .addService(discovery.getRouteDiscoveryServiceImpl())
            .keepAliveTime(30, TimeUnit.SECONDS)
            .permitKeepAliveTime(5, TimeUnit.SECONDS)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the ADS server on " + bindAddress + ":" + port, e);
    }
    logger.info("ADS server listening address={} port={}", bindAddress, port());
  }

  /** The bound port (the real one when configured with 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
