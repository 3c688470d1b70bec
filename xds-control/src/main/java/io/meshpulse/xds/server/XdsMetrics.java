package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshpulse.model.MeshpulseBuild;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS server's meters: connected streams, responses pushed, NACKs received, streams still
 * refusing a response, and how long pushing a new snapshot to every open watch took. Keeps each
 * stream's state in {@link AdsStreams}, which the cache reads.
 */
public final class XdsMetrics implements DiscoveryServerCallbacks {
  private static final Logger logger = LoggerFactory.getLogger(XdsMetrics.class);

  /** The resource types xds-control serves, as the {@code type} tag of pushes and NACKs. */
  static final List<String> TYPES =
      List.of("Cluster", "ClusterLoadAssignment", "Listener", "RouteConfiguration");

  private final MeterRegistry registry;
  private final AtomicInteger connected = new AtomicInteger();
  private final Timer pushTimer;
  private final Counter snapshotBuilds;
  private final AdsStreams streams;

  public XdsMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.streams = new AdsStreams(registry);
    MeshpulseBuild build = MeshpulseBuild.current();
    Gauge.builder("meshpulse.build.info", () -> 1)
        .description("1, labelled with the release and revision this xds-control was built from")
        .tags("component", "xds-control", "version", build.version(), "revision", build.revision())
        .register(registry);
    registry.gauge("meshpulse.xds.connected.proxies", connected);
    this.pushTimer =
        Timer.builder("meshpulse.xds.push")
            .description("time to hand a new snapshot to every open watch")
            .register(registry);
    this.snapshotBuilds =
        Counter.builder("meshpulse.xds.snapshot.builds")
            .description(
                "routing tables built into xDS resources; an evaluation that changes nothing"
                    + " a proxy is served builds none")
            .register(registry);
    // Registered at zero for every type served, so a NACK rate exists before the first NACK.
    for (String type : TYPES) {
      nacks(type);
    }
  }

  public Timer pushTimer() {
    return pushTimer;
  }

  public Counter snapshotBuilds() {
    return snapshotBuilds;
  }

  public int connectedProxies() {
    return connected.get();
  }

  /**
   * Streams whose answer to their latest response of {@code type} (its short name: {@code Cluster},
   * {@code ClusterLoadAssignment}...) was a NACK.
   */
  public int rejectingStreams(String type) {
    return streams.rejecting(type);
  }

  /** The streams' nodes, rejected versions and refusals, for the cache and the gauge. */
  AdsStreams streams() {
    return streams;
  }

  /** NACKs of every type together. */
  public double nacks() {
    return registry.find("meshpulse.xds.nacks").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private Counter nacks(String type) {
    return Counter.builder("meshpulse.xds.nacks")
        .description("xDS responses rejected by a client")
        .tag("type", type)
        .register(registry);
  }

  /**
   * The short name of a type URL: {@code Cluster} for {@code ...envoy.config.cluster.v3.Cluster}.
   */
  static String type(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  /** The request's type, or the stream's for a per-type stream's requests, which may omit it. */
  private String type(long streamId, String typeUrl) {
    String type = streams.typeOf(streamId, typeUrl);
    return type == null ? "unknown" : type;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    connected.incrementAndGet();
    streams.onStreamOpen(streamId, typeUrl);
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    connected.decrementAndGet();
    streams.onStreamClose(streamId, typeUrl);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    connected.decrementAndGet();
    streams.onStreamCloseWithError(streamId, typeUrl, error);
    logger.debug("stream={} closed with error", streamId, error);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    streams.onV3StreamRequest(streamId, request);
    if (request.hasErrorDetail()) {
      nacks(type(streamId, request.getTypeUrl())).increment();
      logger.warn(
          "stream={} NACK typeUrl={} version={} error={}",
          streamId,
          request.getTypeUrl(),
          request.getVersionInfo(),
          request.getErrorDetail().getMessage());
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    streams.onV3StreamDeltaRequest(streamId, request);
    if (request.hasErrorDetail()) {
      nacks(type(streamId, request.getTypeUrl())).increment();
      logger.warn(
          "stream={} delta NACK typeUrl={} error={}",
          streamId,
          request.getTypeUrl(),
          request.getErrorDetail().getMessage());
    }
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    streams.onV3StreamResponse(streamId, request, response);
    pushed(response.getTypeUrl());
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    streams.onV3StreamDeltaResponse(streamId, request, response);
    pushed(response.getTypeUrl());
  }

  private void pushed(String typeUrl) {
    registry.counter("meshpulse.xds.pushes", "type", type(typeUrl)).increment();
  }
}
