package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshpulse.xds.snapshot.ProxyKind;

/**
 * Groups nodes by kind: proxyless gRPC clients announce themselves with a user agent name starting
 * with "gRPC" (grpc-java: "gRPC Java"); an Envoy whose node id starts with {@code router~} (Istio's
 * convention for gateways) is a gateway; everything else is served as an Envoy sidecar.
 */
final class ProxyNodeGroup implements NodeGroup<ProxyKind> {
  @Override
  public ProxyKind hash(Node node) {
    if (node.getUserAgentName().startsWith("gRPC")) {
      return ProxyKind.PROXYLESS_GRPC;
    }
    return node.getId().startsWith("router~") ? ProxyKind.GATEWAY : ProxyKind.ENVOY;
  }
}
