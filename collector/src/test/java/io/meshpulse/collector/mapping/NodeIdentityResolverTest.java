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
}
