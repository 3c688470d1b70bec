package io.meshpulse.xds.it;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An Envoy-style ADS client built from Envoy's API protos: SotW or delta, with explicit ACK/NACK.
 */
final class AdsTestClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final Node node;
  private final BlockingQueue<DiscoveryResponse> sotw = new LinkedBlockingQueue<>();
  private final BlockingQueue<DeltaDiscoveryResponse> delta = new LinkedBlockingQueue<>();
  private @Nullable StreamObserver<DiscoveryRequest> sotwRequests;
  private @Nullable StreamObserver<DeltaDiscoveryRequest> deltaRequests;
  private boolean nodeOnFirstRequestOnly;

  AdsTestClient(int port, String nodeId) {
    this(port, Node.newBuilder().setId(nodeId).setCluster("test").build());
  }

  /** A client that announces {@code node}, e.g. with a proxyless gRPC client's user agent. */
  AdsTestClient(int port, Node node) {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.node = node;
  }

  Node node() {
    return node;
  }

  /**
   * Sends the node on each stream's first request only, as Envoy does with {@code
   * set_node_on_first_message_only} (Istio's bootstrap) and grpc-go always.
   */
  AdsTestClient nodeOnFirstRequestOnly() {
    nodeOnFirstRequestOnly = true;
    return this;
  }

  void send(DiscoveryRequest request) {
    synchronized (this) {
      boolean first = sotwRequests == null;
      if (first) {
        sotwRequests =
            AggregatedDiscoveryServiceGrpc.newStub(channel)
                .streamAggregatedResources(collect(sotw));
      }
      sotwRequests.onNext(
          first || !nodeOnFirstRequestOnly ? request.toBuilder().setNode(node).build() : request);
    }
  }

  void sendDelta(DeltaDiscoveryRequest request) {
    synchronized (this) {
      boolean first = deltaRequests == null;
      if (first) {
        deltaRequests =
            AggregatedDiscoveryServiceGrpc.newStub(channel)
                .deltaAggregatedResources(collect(delta));
      }
      deltaRequests.onNext(
          first || !nodeOnFirstRequestOnly ? request.toBuilder().setNode(node).build() : request);
    }
  }

  static DiscoveryRequest request(String type, List<String> names, String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setTypeUrl(type)
        .addAllResourceNames(names)
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .build();
  }

  /** Subscribes to a type and ACKs the first response, as Envoy does. */
  DiscoveryResponse subscribeAndAck(String type, List<String> names, Duration timeout)
      throws InterruptedException {
    send(request(type, names, "", ""));
    DiscoveryResponse r = expect(timeout);
    if (!r.getTypeUrl().equals(type) || r.getNonce().isEmpty()) {
      throw new AssertionError("expected a " + type + " response with a nonce, got " + r);
    }
    send(request(type, names, r.getVersionInfo(), r.getNonce()));
    return r;
  }

  @Nullable DiscoveryResponse next(Duration timeout) throws InterruptedException {
    return sotw.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  DiscoveryResponse expect(Duration timeout) throws InterruptedException {
    DiscoveryResponse r = next(timeout);
    if (r == null) {
      throw new AssertionError("no DiscoveryResponse within " + timeout);
    }
    return r;
  }

  @Nullable DeltaDiscoveryResponse nextDelta(Duration timeout) throws InterruptedException {
    return delta.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  DeltaDiscoveryResponse expectDelta(Duration timeout) throws InterruptedException {
    DeltaDiscoveryResponse r = nextDelta(timeout);
    if (r == null) {
      throw new AssertionError("no DeltaDiscoveryResponse within " + timeout);
    }
    return r;
  }

  private static <T> StreamObserver<T> collect(BlockingQueue<T> queue) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        queue.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
