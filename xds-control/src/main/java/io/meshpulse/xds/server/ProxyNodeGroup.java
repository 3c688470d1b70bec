package io.meshpulse.xds.server;

import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshpulse.xds.snapshot.ProxyKind;

/**
 * Groups nodes by kind: proxyless gRPC clients announce themselves with a user agent name starting
 * with "gRPC" (grpc-java: "gRPC Java"), everything else is served as an Envoy proxy.
 */
final class ProxyNodeGroup implements NodeGroup<ProxyKind> {
  @Override
  public ProxyKind hash(Node node) {
    return node.getUserAgentName().startsWith("gRPC") ? ProxyKind.PROXYLESS_GRPC : ProxyKind.ENVOY;
  }
}
