package io.meshpulse.bench.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * N simulated Envoy ADS streams multiplexed over a few HTTP/2 connections. The client side runs on
 * its own small event loop group (threads named {@value #THREAD_PREFIX}…) with a direct executor,
 * so a thousand streams cost no thread each and the control plane's CPU can be told apart.
 */
final class AdsFleet implements AutoCloseable {
  static final String THREAD_PREFIX = "bench-ads-client";

  private final EventLoopGroup group;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<SimulatedEnvoy> envoys = new ArrayList<>();

  AdsFleet(int adsPort, int streams, int connections, int clientThreads, List<String> routes) {
    group =
        new MultiThreadIoEventLoopGroup(
            clientThreads,
            new DefaultThreadFactory(THREAD_PREFIX, true),
            NioIoHandler.newFactory());
    for (int i = 0; i < connections; i++) {
      channels.add(
          NettyChannelBuilder.forAddress("127.0.0.1", adsPort)
              .usePlaintext()
              .eventLoopGroup(group)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .maxInboundMessageSize(64 * 1024 * 1024)
              .build());
    }
    for (int i = 0; i < streams; i++) {
      SimulatedEnvoy envoy = new SimulatedEnvoy("bench-envoy-" + i, routes);
      envoys.add(envoy);
      envoy.start(AggregatedDiscoveryServiceGrpc.newStub(channels.get(i % connections)));
    }
  }

  List<SimulatedEnvoy> envoys() {
    return envoys;
  }

  /** Waits until every stream has ACKed CDS, EDS, LDS and RDS; fails on a stream error. */
  void awaitSettled(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long settled = 0;
      for (SimulatedEnvoy e : envoys) {
        if (e.error() != null) {
          throw new IllegalStateException("an ADS stream failed", e.error());
        }
        if (e.settled()) {
          settled++;
        }
      }
      if (settled == envoys.size()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            settled + " of " + envoys.size() + " ADS streams settled within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  long failedStreams() {
    return envoys.stream().filter(e -> e.error() != null).count();
  }

  @Override
  public void close() {
    envoys.forEach(SimulatedEnvoy::close);
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
