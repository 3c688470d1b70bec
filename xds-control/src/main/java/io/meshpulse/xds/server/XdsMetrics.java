package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS server's meters: connected streams, responses pushed, NACKs received, and how long
 * pushing a new snapshot to every open watch took.
 */
public final class XdsMetrics implements DiscoveryServerCallbacks {
  private static final Logger logger = LoggerFactory.getLogger(XdsMetrics.class);

  private final MeterRegistry registry;
  private final AtomicInteger connected = new AtomicInteger();
  private final Timer pushTimer;
  private final Counter nacks;

  public XdsMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("meshpulse.xds.connected.proxies", connected);
    this.pushTimer =
        Timer.builder("meshpulse.xds.push")
            .description("time to hand a new snapshot to every open watch")
            .register(registry);
    this.nacks =
        Counter.builder("meshpulse.xds.nacks")
            .description("xDS responses rejected by a client")
            .register(registry);
  }

  public Timer pushTimer() {
    return pushTimer;
  }

  public int connectedProxies() {
    return connected.get();
  }

  public double nacks() {
    return nacks.count();
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    connected.incrementAndGet();
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    connected.decrementAndGet();
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    connected.decrementAndGet();
    logger.debug("stream={} closed with error", streamId, error);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    if (request.hasErrorDetail()) {
      nacks.increment();
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
    if (request.hasErrorDetail()) {
      nacks.increment();
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
    pushed(response.getTypeUrl());
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    pushed(response.getTypeUrl());
  }

  private void pushed(String typeUrl) {
    String type = typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
    registry.counter("meshpulse.xds.pushes", "type", type).increment();
  }
}
