package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.Peer;

/**
 * Who a proxy is, resolved once per stream from the identifier on its first message.
 *
 * @param nodeId Envoy's node id
 * @param nodeCluster Envoy's node cluster
 * @param peer the workload behind the proxy (workload, namespace, app, version, mesh cluster,
 *     locality)
 */
public record NodeIdentity(String nodeId, String nodeCluster, Peer peer) {}
