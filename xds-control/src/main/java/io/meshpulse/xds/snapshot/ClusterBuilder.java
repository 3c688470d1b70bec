package io.meshpulse.xds.snapshot;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshpulse.xds.policy.PolicyConfig;
import io.meshpulse.xds.topology.ServiceProtocol;
import io.meshpulse.xds.topology.ServiceSpec;
import io.meshpulse.xds.topology.SubsetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * CDS: one EDS cluster per subset and one for the whole service, round robin (which honours
 * endpoint weights), Envoy's panic threshold as the policy assumes, and Envoy's own outlier
 * detection on consecutive 5xx and gateway failures as a local backstop (success-rate and
 * failure-percentage ejection off: the fleet-wide policy does that job).
 *
 * <p>Proxyless gRPC clients get no outlier detection: grpc-java's implementation of it fails calls
 * that complete on an endpoint the same EDS update removed (a NullPointerException in its call
 * counting), and an endpoint removed that way and re-added later got no calls again on that channel
 * — every ejection and re-admission by meshpulse is such a removal and re-addition.
 */
public final class ClusterBuilder {
  private static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterBuilder() {}

  /** The clusters an Envoy (sidecar or gateway) gets. */
  public static List<Cluster> build(ServiceSpec service, PolicyConfig config) {
    return build(service, config, ProxyKind.ENVOY);
  }

  /** The clusters a proxy of {@code kind} gets. */
  public static List<Cluster> build(ServiceSpec service, PolicyConfig config, ProxyKind kind) {
    List<Cluster> clusters = new ArrayList<>();
    boolean outlierDetection = kind != ProxyKind.PROXYLESS_GRPC;
    for (SubsetSpec subset : service.subsets()) {
      clusters.add(
          cluster(ClusterNames.subset(service, subset.name()), service, config, outlierDetection));
    }
    clusters.add(cluster(ClusterNames.whole(service), service, config, outlierDetection));
    return clusters;
  }

  private static Cluster cluster(
      String name, ServiceSpec service, PolicyConfig config, boolean outlierDetection) {
    Cluster.Builder b =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())
                            .setResourceApiVersion(ApiVersion.V3)))
            .setConnectTimeout(Duration.newBuilder().setSeconds(1))
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
            .setCommonLbConfig(
                Cluster.CommonLbConfig.newBuilder()
                    .setHealthyPanicThreshold(
                        Percent.newBuilder().setValue(config.panicThresholdPercent())));
    if (outlierDetection) {
      b.setOutlierDetection(
          OutlierDetection.newBuilder()
              .setConsecutive5Xx(UInt32Value.of(5))
              .setConsecutiveGatewayFailure(UInt32Value.of(5))
              .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100))
              .setEnforcingSuccessRate(UInt32Value.of(0))
              .setEnforcingFailurePercentage(UInt32Value.of(0))
              .setInterval(Duration.newBuilder().setSeconds(10))
              .setBaseEjectionTime(Duration.newBuilder().setSeconds(30))
              .setMaxEjectionPercent(UInt32Value.of(config.maxEjectionPercent())));
    }
    if (service.protocol() == ServiceProtocol.GRPC) {
      b.putTypedExtensionProtocolOptions(
          HTTP_PROTOCOL_OPTIONS,
          Any.pack(
              HttpProtocolOptions.newBuilder()
                  .setExplicitHttpConfig(
                      HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                          .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                  .build()));
    }
    return b.build();
  }
}
