package io.meshpulse.collector.mapping;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshpulse.model.v1.Locality;
import io.meshpulse.model.v1.Peer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves an Envoy {@link Node} to a {@link NodeIdentity}. Istio sidecars and gateways are
 * recognised by their node id ({@code
 * sidecar~10.44.2.55~productpage-v1-6b7-xyz.default~default.svc.cluster.local}) or by the {@code
 * ISTIO_VERSION} metadata key; every other node goes through the configured {@link
 * PlainNodeMapping}.
 */
public final class NodeIdentityResolver {
  private static final Pattern ISTIO_NODE_ID =
      Pattern.compile("^(sidecar|router)~([^~]*)~([^~.]+)\\.([^~]+)~([^~]*)$");
  private static final Pattern POD_HASH_SUFFIX =
      Pattern.compile("^(.+?)(-[a-z0-9]{6,10})?-[a-z0-9]{5}$");

  private final PlainNodeMapping plain;

  public NodeIdentityResolver(PlainNodeMapping plain) {
    this.plain = plain;
  }

  public NodeIdentity resolve(Node node) {
    Matcher istioId = ISTIO_NODE_ID.matcher(node.getId());
    Struct metadata = node.getMetadata();
    boolean istio = istioId.matches() || metadata.containsFields("ISTIO_VERSION");
    Peer peer = istio ? istioPeer(node, istioId.matches() ? istioId : null) : plainPeer(node);
    if (node.hasLocality()) {
      peer =
          peer.toBuilder()
              .setLocality(
                  Locality.newBuilder()
                      .setRegion(node.getLocality().getRegion())
                      .setZone(node.getLocality().getZone())
                      .setSubZone(node.getLocality().getSubZone()))
              .build();
    }
    String dnsDomain = istioId.matches() ? istioId.group(5) : "";
    if (!istio) {
      return new NodeIdentity(node.getId(), node.getCluster(), peer, dnsDomain);
    }
    Struct labels = struct(metadata, "LABELS");
    return new NodeIdentity(
        node.getId(),
        node.getCluster(),
        peer,
        dnsDomain,
        canonicalService(labels, peer.getWorkload()),
        canonicalRevision(labels));
  }

  /**
   * Istio's canonical service of a workload: its {@code service.istio.io/canonical-name} label,
   * else (as Istio's injector derives that label) {@code app.kubernetes.io/name}, {@code app}, the
   * workload name.
   */
  static String canonicalService(Struct labels, String workload) {
    return firstNonEmpty(
        string(labels, "service.istio.io/canonical-name"),
        string(labels, "app.kubernetes.io/name"),
        string(labels, "app"),
        workload);
  }

  /**
   * Istio's canonical revision of a workload: its {@code service.istio.io/canonical-revision}
   * label, else {@code app.kubernetes.io/version}, {@code version}, {@code latest}.
   */
  static String canonicalRevision(Struct labels) {
    return firstNonEmpty(
        string(labels, "service.istio.io/canonical-revision"),
        string(labels, "app.kubernetes.io/version"),
        string(labels, "version"),
        NodeIdentity.LATEST);
  }

  private static Peer istioPeer(Node node, @org.jspecify.annotations.Nullable Matcher id) {
    Struct metadata = node.getMetadata();
    Struct labels = struct(metadata, "LABELS");
    String podName = firstNonEmpty(string(metadata, "NAME"), id == null ? "" : id.group(3));
    String namespace = firstNonEmpty(string(metadata, "NAMESPACE"), id == null ? "" : id.group(4));
    String workload = firstNonEmpty(string(metadata, "WORKLOAD_NAME"), workloadOfPod(podName));
    String app =
        firstNonEmpty(
            string(labels, "app"),
            string(labels, "app.kubernetes.io/name"),
            string(labels, "service.istio.io/canonical-name"));
    String version =
        firstNonEmpty(
            string(labels, "version"),
            string(labels, "app.kubernetes.io/version"),
            string(labels, "service.istio.io/canonical-revision"));
    return Peer.newBuilder()
        .setWorkload(workload)
        .setNamespace(namespace)
        .setApp(app)
        .setVersion(version)
        .setMeshCluster(string(metadata, "CLUSTER_ID"))
        .setPrincipal(
            workloadPrincipal(
                string(metadata, "MESH_ID"), namespace, string(metadata, "SERVICE_ACCOUNT")))
        .build();
  }

  /**
   * The SPIFFE id of the workload's Istio certificate, {@code spiffe://<trust
   * domain>/ns/<namespace>/sa/<service account>}: what Istio reports as the source principal of the
   * requests the proxy sends over mutual TLS. The trust domain is the node's {@code MESH_ID}, which
   * Istio sets to the trust domain unless the mesh configures another id; empty when any part is
   * missing.
   */
  static String workloadPrincipal(String trustDomain, String namespace, String serviceAccount) {
    if (trustDomain.isEmpty() || namespace.isEmpty() || serviceAccount.isEmpty()) {
      return "";
    }
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  private Peer plainPeer(Node node) {
    Struct metadata = node.getMetadata();
    Struct labels = struct(metadata, "LABELS");
    String fallbackWorkload =
        plain.workloadSource() == PlainNodeMapping.WorkloadSource.NODE_ID
            ? node.getId()
            : node.getCluster();
    String workload =
        firstNonEmpty(lookup(metadata, labels, plain.workloadKey()), fallbackWorkload);
    return Peer.newBuilder()
        .setWorkload(workload)
        .setNamespace(
            firstNonEmpty(lookup(metadata, labels, plain.namespaceKey()), plain.defaultNamespace()))
        .setApp(firstNonEmpty(lookup(metadata, labels, plain.appKey()), workload))
        .setVersion(lookup(metadata, labels, plain.versionKey()))
        .setMeshCluster(lookup(metadata, labels, plain.meshClusterKey()))
        .build();
  }

  /** {@code productpage-v1-6b746f74dc-9stvs} → {@code productpage-v1} (Deployment pods). */
  static String workloadOfPod(String podName) {
    Matcher matcher = POD_HASH_SUFFIX.matcher(podName);
    return matcher.matches() ? matcher.group(1) : podName;
  }

  private static String lookup(Struct metadata, Struct labels, String key) {
    if (key.isEmpty()) {
      return "";
    }
    return firstNonEmpty(string(metadata, key), string(labels, key));
  }

  private static Struct struct(Struct parent, String key) {
    Value value = parent.getFieldsOrDefault(key, Value.getDefaultInstance());
    return value.hasStructValue() ? value.getStructValue() : Struct.getDefaultInstance();
  }

  private static String string(Struct parent, String key) {
    Value value = parent.getFieldsOrDefault(key, Value.getDefaultInstance());
    return value.getKindCase() == Value.KindCase.STRING_VALUE ? value.getStringValue() : "";
  }

  private static String firstNonEmpty(String... values) {
    for (String value : values) {
      if (!value.isEmpty()) {
        return value;
      }
    }
    return "";
  }
}
