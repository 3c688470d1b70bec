package io.meshpulse.xds.snapshot;

/**
 * The node groups: Envoy sidecars, proxyless gRPC clients and Envoy gateways get different
 * listeners (and route configurations).
 */
public enum ProxyKind {
  ENVOY,
  PROXYLESS_GRPC,
  /** An Envoy serving the routing configuration's gateways (node id {@code router~...}). */
  GATEWAY
}
