package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What xDS streams know and java-control-plane's cache is not told: the stream's node, and the
 * version of the response a NACK rejects. Also counts the streams that refuse their latest response
 * of a type ({@code meshpulse_xds_rejecting_streams}).
 *
 * <ul>
 *   <li><b>The node.</b> Only a stream's first request must carry it (xDS protocol). Envoy with
 *       {@code set_node_on_first_message_only}, which Istio's bootstrap sets, and grpc-go send it
 *       there alone. The cache picks a snapshot by the request's node, so a gateway or a proxyless
 *       client would be served the sidecars' resources from its second request on.
 *   <li><b>The rejected version.</b> A NACK carries the last version the client accepted. The
 *       version it rejected is that of the stream's latest response of the type (java-control-plane
 *       acts only on a NACK of its latest response). A watch opened at that version is answered at
 *       once if the snapshot changed since, and otherwise waits for the next change.
 * </ul>
 *
 * <p>The cache learns both through {@link #take}: java-control-plane runs the request callbacks and
 * then opens the request's watch on the same thread, in the stream's {@code onNext}. The value is
 * handed over by that thread and matched to the very request object, so a request whose watch is
 * not opened (a stale nonce) leaves nothing another stream could take.
 */
final class AdsStreams implements DiscoveryServerCallbacks {
  /** What the cache needs about a request beyond the request itself. */
  record Context(Object request, @Nullable Node node, @Nullable String rejectedVersion) {}

  private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> rejecting = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final ThreadLocal<Context> current = new ThreadLocal<>();

  AdsStreams(MeterRegistry registry) {
    this.registry = registry;
    // Registered at zero for every type served, so the alert's selector exists before a NACK.
    for (String type : XdsMetrics.TYPES) {
      rejecting(type);
    }
  }

  /**
   * The context the request callbacks stored on this thread for {@code request}, or null when there
   * is none (a request that did not pass through the callbacks). Clears it either way.
   */
  @Nullable Context take(Object request) {
    Context c = current.get();
    current.remove();
    return c != null && c.request() == request ? c : null;
  }

  /** Streams whose answer to their latest response of {@code type} was a NACK. */
  int rejecting(String type) {
    return rejectingCounter(type).get();
  }

  /**
   * The short type name (Cluster, Listener...) of a request on a stream opened for {@code type}.
   */
  @Nullable String typeOf(long streamId, String typeUrl) {
    return typeOf(streams.get(streamId), typeUrl);
  }

  private static @Nullable String typeOf(@Nullable Stream s, String typeUrl) {
    if (!typeUrl.isEmpty()) {
      return XdsMetrics.type(typeUrl);
    }
    return s == null ? null : s.defaultType;
  }

  private AtomicInteger rejectingCounter(String type) {
    return rejecting.computeIfAbsent(
        type,
        t -> {
          AtomicInteger count = new AtomicInteger();
          Gauge.builder("meshpulse.xds.rejecting.streams", count, AtomicInteger::get)
              .description(
                  "xDS streams whose answer to their latest response of this type was a NACK:"
                      + " proxies still without the configuration they refused")
              .tag("type", t)
              .register(registry);
          return count;
        });
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    streams.put(streamId, new Stream(typeUrl.isEmpty() ? null : XdsMetrics.type(typeUrl)));
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  private void closed(long streamId) {
    Stream s = streams.remove(streamId);
    if (s != null) {
      synchronized (s) {
        for (String type : s.rejecting) {
          rejectingCounter(type).decrementAndGet();
        }
        s.rejecting.clear();
      }
    }
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    requested(
        streamId,
        request,
        request.getTypeUrl(),
        request.hasNode() ? request.getNode() : null,
        request.getResponseNonce(),
        request.hasErrorDetail(),
        request.getVersionInfo());
  }

  /**
   * Records a request: the stream's node, and an ACK or NACK of the stream's latest response of its
   * type; then hands the cache its context on this thread.
   *
   * @param acceptedVersion the version a state-of-the-world request says it holds; null for a delta
   *     request, whose ACKs carry none
   */
  private void requested(
      long streamId,
      Object request,
      String typeUrl,
      @Nullable Node node,
      String nonce,
      boolean nack,
      @Nullable String acceptedVersion) {
    Stream s = streams.get(streamId);
    if (s == null) {
      current.remove();
      return;
    }
    String type = typeOf(s, typeUrl);
    synchronized (s) {
      if (s.node == null && node != null) {
        s.node = node;
      }
      Sent latest = type == null ? null : s.sent.get(type);
      String rejectedVersion = null;
      if (latest != null && latest.nonce().equals(nonce)) {
        if (nack) {
          answered(s, type, true);
          rejectedVersion = latest.version();
        } else if (acceptedVersion == null || acceptedVersion.equals(latest.version())) {
          // An ACK. A request that names the latest nonce with an older version is a subscription
          // change of a client that still holds what it had before the NACK.
          answered(s, type, false);
        }
      }
      current.set(new Context(request, s.node, rejectedVersion));
    }
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    sent(streamId, response.getTypeUrl(), response.getNonce(), response.getVersionInfo());
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    requested(
        streamId,
        request,
        request.getTypeUrl(),
        request.hasNode() ? request.getNode() : null,
        request.getResponseNonce(),
        request.hasErrorDetail(),
        null);
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    sent(streamId, response.getTypeUrl(), response.getNonce(), response.getSystemVersionInfo());
  }

  private void sent(long streamId, String typeUrl, String nonce, String version) {
    Stream s = streams.get(streamId);
    if (s != null) {
      synchronized (s) {
        s.sent.put(XdsMetrics.type(typeUrl), new Sent(nonce, version));
      }
    }
  }

  /** Records an ACK or NACK of the stream's latest response of a type. Holds the stream's lock. */
  private void answered(Stream s, String type, boolean nack) {
    if (nack ? s.rejecting.add(type) : s.rejecting.remove(type)) {
      AtomicInteger count = rejectingCounter(type);
      if (nack) {
        count.incrementAndGet();
      } else {
        count.decrementAndGet();
      }
    }
  }

  private record Sent(String nonce, String version) {}

  /** One stream's state; guarded by its own lock (requests and responses arrive on two threads). */
  private static final class Stream {
    final @Nullable String defaultType;
    final Map<String, Sent> sent = new HashMap<>();
    final Set<String> rejecting = new HashSet<>();
    @Nullable Node node;

    Stream(@Nullable String defaultType) {
      this.defaultType = defaultType;
    }
  }
}
