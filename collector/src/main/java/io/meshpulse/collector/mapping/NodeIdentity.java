package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.Peer;

/**
 * Who a proxy is, resolved once per stream from the identifier on its first message.
 *
 * @param nodeId Envoy's node id
 * @param nodeCluster Envoy's node cluster
 * @param peer the workload behind the proxy (workload, namespace, app, version, mesh cluster,
 *     locality)
 * @param dnsDomain the proxy's DNS domain from an Istio node id ({@code
 *     default.svc.cluster.local}), empty otherwise
 * @param canonicalService the workload's canonical service, Istio's {@code
 *     service.istio.io/canonical-name} label or its fallbacks (never empty when the peer has an app
 *     or a workload)
 * @param canonicalRevision the workload's canonical revision, Istio's {@code
 *     service.istio.io/canonical-revision} label or its fallbacks, {@code latest} at the end
 */
public record NodeIdentity(
    String nodeId,
    String nodeCluster,
    Peer peer,
    String dnsDomain,
    String canonicalService,
    String canonicalRevision) {
  /** The revision Istio gives a workload without revision labels. */
  public static final String LATEST = "latest";

  /** A node whose canonical service and revision fall back to the peer's app (or workload). */
  public NodeIdentity(String nodeId, String nodeCluster, Peer peer, String dnsDomain) {
    this(
        nodeId,
        nodeCluster,
        peer,
        dnsDomain,
        peer.getApp().isEmpty() ? peer.getWorkload() : peer.getApp(),
        peer.getVersion().isEmpty() ? LATEST : peer.getVersion());
  }

  public NodeIdentity(String nodeId, String nodeCluster, Peer peer) {
    this(nodeId, nodeCluster, peer, "");
  }

  /**
   * The service this proxy serves, for inbound entries that do not name it: its app, qualified with
   * the DNS domain when known ({@code reviews.default.svc.cluster.local}).
   */
  public String ownService() {
    String app = peer.getApp();
    if (app.isEmpty() || dnsDomain.isEmpty()) {
      return app;
    }
    return app + '.' + dnsDomain;
  }
}
