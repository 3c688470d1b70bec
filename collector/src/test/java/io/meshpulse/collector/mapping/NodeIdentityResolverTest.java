package io.meshpulse.collector.mapping;

import static io.meshpulse.collector.EnvoyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import org.junit.jupiter.api.Test;

class NodeIdentityResolverTest {
  private final NodeIdentityResolver resolver =
      new NodeIdentityResolver(PlainNodeMapping.defaults());

  @Test
  void istioSidecar_takesWorkloadLabelsClusterAndLocalityFromItsMetadata() {
    NodeIdentity identity = resolver.resolve(node("istio-sidecar-node"));

    assertThat(identity.peer().getWorkload()).as("workload").isEqualTo("productpage-v1");
    assertThat(identity.peer().getNamespace()).as("namespace").isEqualTo("default");
    assertThat(identity.peer().getApp()).as("app").isEqualTo("productpage");
    assertThat(identity.peer().getVersion()).as("version").isEqualTo("v1");
    assertThat(identity.peer().getMeshCluster()).as("mesh cluster").isEqualTo("Kubernetes");
    assertThat(identity.peer().getLocality().getZone()).as("zone").isEqualTo("us-east1-b");
    assertThat(identity.nodeCluster()).as("node cluster").isEqualTo("productpage.default");
    assertThat(identity.peer().getPrincipal())
        .as("SPIFFE id from MESH_ID, NAMESPACE and SERVICE_ACCOUNT")
        .isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
  }

  @Test
  void workloadPrincipal_isEmptyWhenAnyPartIsMissing() {
    assertThat(NodeIdentityResolver.workloadPrincipal("example.org", "shop", "cart"))
        .isEqualTo("spiffe://example.org/ns/shop/sa/cart");
    assertThat(NodeIdentityResolver.workloadPrincipal("", "shop", "cart")).isEmpty();
    assertThat(NodeIdentityResolver.workloadPrincipal("example.org", "", "cart")).isEmpty();
    assertThat(NodeIdentityResolver.workloadPrincipal("example.org", "shop", "")).isEmpty();
  }

  @Test
  void istioSidecarWithoutMetadata_takesPodAndNamespaceFromItsNodeId() {
    Node bare =
        Node.newBuilder()
            .setId(
                "sidecar~10.44.2.60~ratings-v1-5d9ac8b7c6-x2kqp.bookinfo~bookinfo.svc.cluster.local")
            .build();

    NodeIdentity identity = resolver.resolve(bare);

    assertThat(identity.peer().getWorkload())
        .as("workload derived from the pod name")
        .isEqualTo("ratings-v1");
    assertThat(identity.peer().getNamespace()).as("namespace").isEqualTo("bookinfo");
  }

  @Test
  void plainNode_canTakeItsWorkloadFromTheNodeIdAndMetadataKeysAreConfigurable() {
    PlainNodeMapping byId =
        new PlainNodeMapping(
            PlainNodeMapping.WorkloadSource.NODE_ID, "svc", "ns", "application", "rev", "", "prod");
    Node node =
        Node.newBuilder()
            .setId("gateway-7")
            .setCluster("edge")
            .setMetadata(
                Struct.newBuilder()
                    .putFields("application", Value.newBuilder().setStringValue("shop").build())
                    .putFields(
                        "LABELS",
                        Value.newBuilder()
                            .setStructValue(
                                Struct.newBuilder()
                                    .putFields(
                                        "rev", Value.newBuilder().setStringValue("r42").build()))
                            .build()))
            .build();

    NodeIdentity identity = new NodeIdentityResolver(byId).resolve(node);

    assertThat(identity.peer().getWorkload()).as("workload from node id").isEqualTo("gateway-7");
    assertThat(identity.peer().getApp()).as("app from metadata").isEqualTo("shop");
    assertThat(identity.peer().getVersion()).as("version from LABELS").isEqualTo("r42");
    assertThat(identity.peer().getNamespace()).as("default namespace").isEqualTo("prod");
  }

  @Test
  void podNames_loseTheirReplicaSetAndPodSuffixes() {
    assertThat(NodeIdentityResolver.workloadOfPod("productpage-v1-6b746f74dc-9stvs"))
        .as("deployment pod")
        .isEqualTo("productpage-v1");
    assertThat(NodeIdentityResolver.workloadOfPod("db-0")).as("statefulset pod").isEqualTo("db-0");
  }

  @Test
  void istioNode_takesItsCanonicalServiceAndRevisionFromItsCanonicalLabels() {
    Node node =
        istioNode(
            "service.istio.io/canonical-name", "reviews-canonical",
            "service.istio.io/canonical-revision", "r7",
            "app", "reviews",
            "version", "v2");

    NodeIdentity identity = resolver.resolve(node);

    assertThat(identity.canonicalService()).as("canonical service").isEqualTo("reviews-canonical");
    assertThat(identity.canonicalRevision()).as("canonical revision").isEqualTo("r7");
    assertThat(identity.peer().getApp()).as("app unchanged").isEqualTo("reviews");
  }

  @Test
  void istioNodeWithoutCanonicalLabels_fallsBackAsIstiosInjector() {
    NodeIdentity kubernetesLabels =
        resolver.resolve(
            istioNode(
                "app.kubernetes.io/name", "reviews-k8s",
                "app", "reviews",
                "app.kubernetes.io/version", "1.2",
                "version", "v2"));
    NodeIdentity appLabels = resolver.resolve(istioNode("app", "reviews", "version", "v2"));
    NodeIdentity noLabels = resolver.resolve(istioNode());

    assertThat(kubernetesLabels.canonicalService())
        .as("app.kubernetes.io/name first")
        .isEqualTo("reviews-k8s");
    assertThat(kubernetesLabels.canonicalRevision())
        .as("app.kubernetes.io/version first")
        .isEqualTo("1.2");
    assertThat(appLabels.canonicalService()).as("app").isEqualTo("reviews");
    assertThat(appLabels.canonicalRevision()).as("version").isEqualTo("v2");
    assertThat(noLabels.canonicalService()).as("workload name").isEqualTo("ratings-v1");
    assertThat(noLabels.canonicalRevision()).as("no revision label").isEqualTo("latest");
  }

  @Test
  void plainNode_hasItsAppAsCanonicalServiceAndItsVersionOrLatestAsRevision() {
    NodeIdentity edge = resolver.resolve(node("plain-envoy-node"));
    NodeIdentity bare = resolver.resolve(Node.newBuilder().setId("e1").setCluster("gw").build());

    assertThat(edge.canonicalService()).as("app (the workload)").isEqualTo("frontend");
    assertThat(edge.canonicalRevision()).as("version").isEqualTo("2024.11");
    assertThat(bare.canonicalService()).as("bare node").isEqualTo("gw");
    assertThat(bare.canonicalRevision()).as("bare node revision").isEqualTo("latest");
  }

  /** An Istio sidecar node of workload ratings-v1 with the given LABELS (name, value, ...). */
  private static Node istioNode(String... labels) {
    Struct.Builder labelStruct = Struct.newBuilder();
    for (int i = 0; i < labels.length; i += 2) {
      labelStruct.putFields(labels[i], Value.newBuilder().setStringValue(labels[i + 1]).build());
    }
    return Node.newBuilder()
        .setId("sidecar~10.44.2.60~ratings-v1-5d9ac8b7c6-x2kqp.bookinfo~bookinfo.svc.cluster.local")
        .setMetadata(
            Struct.newBuilder()
                .putFields("ISTIO_VERSION", Value.newBuilder().setStringValue("1.24.2").build())
                .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build()))
        .build();
  }
}
