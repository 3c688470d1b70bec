package io.meshpulse.collector.mapping;

/**
 * How a plain (non-Istio) Envoy node is turned into a workload identity. The workload comes from
 * the node metadata key {@code workloadKey} when present, else from {@code workloadSource}; app,
 * version, namespace and mesh cluster come from the named metadata keys (top level or inside a
 * {@code LABELS} struct), the app falling back to the workload and the namespace to {@code
 * defaultNamespace}.
 */
public record PlainNodeMapping(
    WorkloadSource workloadSource,
    String workloadKey,
    String namespaceKey,
    String appKey,
    String versionKey,
    String meshClusterKey,
    String defaultNamespace) {

  /** Where the workload name of a plain Envoy node comes from when its metadata has none. */
  public enum WorkloadSource {
    /** Envoy's {@code --service-cluster} / {@code node.cluster}. */
    NODE_CLUSTER,
    /** Envoy's {@code --service-node} / {@code node.id}. */
    NODE_ID
  }

  /** node.cluster as workload and app; metadata keys workload, namespace, app, version, cluster. */
  public static PlainNodeMapping defaults() {
    return new PlainNodeMapping(
        WorkloadSource.NODE_CLUSTER, "workload", "namespace", "app", "version", "cluster", "");
  }
}
