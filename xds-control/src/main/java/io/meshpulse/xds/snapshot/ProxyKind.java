package io.meshpulse.xds.snapshot;

/** The two node groups: Envoy proxies and proxyless gRPC clients get different listeners. */
public enum ProxyKind {
  ENVOY,
  PROXYLESS_GRPC
}
