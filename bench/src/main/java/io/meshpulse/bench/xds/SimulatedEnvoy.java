package io.meshpulse.bench.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One state-of-the-world ADS stream behaving like Envoy: CDS and LDS wildcard first, EDS for the
 * EDS clusters CDS names, RDS for the routes the listeners use; every response is ACKed with its
 * version and nonce. While armed, it notes when it ACKed the first EDS version that differs from
 * the one it held when armed.
 */
final class SimulatedEnvoy implements StreamObserver<DiscoveryResponse> {
  private final Node node;
  private final List<String> routeNames;
  private final Object lock = new Object();
  private @Nullable StreamObserver<DiscoveryRequest> requests;
  private @Nullable List<String> edsNames;
  private final AtomicInteger ackedTypes = new AtomicInteger();
  private final AtomicInteger edsResponses = new AtomicInteger();
  private volatile String edsVersion = "";
  private volatile String armedVersion = "";
  private volatile long ackNanos;
  private volatile @Nullable CountDownLatch changed;
  private volatile @Nullable Throwable error;
  private boolean cdsAcked;
  private boolean edsAcked;
  private boolean ldsAcked;
  private boolean rdsAcked;

  SimulatedEnvoy(String nodeId, List<String> routeNames) {
    this.node =
        Node.newBuilder().setId(nodeId).setCluster("bench").setUserAgentName("envoy").build();
    this.routeNames = List.copyOf(routeNames);
  }

  void start(AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub) {
    synchronized (lock) {
      requests = stub.streamAggregatedResources(this);
      send(CLUSTER_TYPE_URL, List.of(), "", "");
      send(LISTENER_TYPE_URL, List.of(), "", "");
    }
  }

  /** True once CDS, EDS, LDS and RDS have each been received and ACKed. */
  boolean settled() {
    return ackedTypes.get() == 4;
  }

  @Nullable Throwable error() {
    return error;
  }

  /** Starts watching for a new EDS version; {@code latch} counts down when it is ACKed. */
  void arm(CountDownLatch latch) {
    armedVersion = edsVersion;
    ackNanos = 0;
    edsResponses.set(0);
    changed = latch;
  }

  /** When the new EDS version was ACKed ({@link System#nanoTime()}), or 0 if not yet. */
  long ackNanos() {
    return ackNanos;
  }

  /** EDS responses received since {@link #arm}. */
  int edsResponsesSinceArmed() {
    return edsResponses.get();
  }

  @Override
  public void onNext(DiscoveryResponse response) {
    String type = response.getTypeUrl();
    synchronized (lock) {
      switch (type) {
        case CLUSTER_TYPE_URL -> {
          ack(response);
          if (edsNames == null) {
            edsNames = edsClusterNames(response.getResourcesList());
            send(ENDPOINT_TYPE_URL, edsNames, "", "");
          }
          cdsAcked = countOnce(cdsAcked);
        }
        case LISTENER_TYPE_URL -> {
          ack(response);
          if (!ldsAcked) {
            send(ROUTE_TYPE_URL, routeNames, "", "");
          }
          ldsAcked = countOnce(ldsAcked);
        }
        case ROUTE_TYPE_URL -> {
          ack(response);
          rdsAcked = countOnce(rdsAcked);
        }
        case ENDPOINT_TYPE_URL -> {
          ack(response);
          long now = System.nanoTime();
          edsResponses.incrementAndGet();
          String version = response.getVersionInfo();
          edsVersion = version;
          CountDownLatch latch = changed;
          if (latch != null && ackNanos == 0 && !version.equals(armedVersion)) {
            ackNanos = now;
            latch.countDown();
          }
          edsAcked = countOnce(edsAcked);
        }
        default -> ack(response);
      }
    }
  }

  private boolean countOnce(boolean already) {
    if (!already) {
      ackedTypes.incrementAndGet();
    }
    return true;
  }

  private void ack(DiscoveryResponse response) {
    List<String> names =
        switch (response.getTypeUrl()) {
          case ENDPOINT_TYPE_URL -> edsNames == null ? List.of() : edsNames;
          case ROUTE_TYPE_URL -> routeNames;
          default -> List.of();
        };
    send(response.getTypeUrl(), names, response.getVersionInfo(), response.getNonce());
  }

  private void send(String type, List<String> names, String version, String nonce) {
    if (requests == null) {
      return;
    }
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type)
            .addAllResourceNames(names)
            .setVersionInfo(version)
            .setResponseNonce(nonce)
            .build());
  }

  private static List<String> edsClusterNames(List<Any> clusters) {
    List<String> names = new ArrayList<>();
    for (Any any : clusters) {
      try {
        Cluster c = any.unpack(Cluster.class);
        if (c.getType() == Cluster.DiscoveryType.EDS) {
          names.add(
              c.getEdsClusterConfig().getServiceName().isEmpty()
                  ? c.getName()
                  : c.getEdsClusterConfig().getServiceName());
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("CDS resource is not a Cluster", e);
      }
    }
    return names;
  }

  @Override
  public void onError(Throwable t) {
    error = t;
  }

  @Override
  public void onCompleted() {}

  void close() {
    synchronized (lock) {
      if (requests != null) {
        requests.onCompleted();
      }
    }
  }
}
