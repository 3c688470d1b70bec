package io.meshpulse.xds.it;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A real gRPC backend (the standard health service) on a random port that counts its calls. */
final class CountingBackend implements AutoCloseable {
  private final Server server;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong lastCallNanos = new AtomicLong();

  CountingBackend() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    ServerInterceptor counter =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            calls.incrementAndGet();
            lastCallNanos.set(System.nanoTime());
            return next.startCall(call, headers);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(health.getHealthService(), counter))
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  long calls() {
    return calls.get();
  }

  long lastCallNanos() {
    return lastCallNanos.get();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
