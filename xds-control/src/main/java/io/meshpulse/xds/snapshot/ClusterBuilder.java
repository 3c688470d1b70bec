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
 */
public final class ClusterBuilder {
  private static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterBuilder() {}

  public static List<Cluster> build(ServiceSpec service, PolicyConfig config) {
    List<Cluster> clusters = new ArrayList<>();
    for (SubsetSpec subset : service.subsets()) {
      clusters.add(cluster(ClusterNames.subset(service, subset.name()), service, config));
    }
    clusters.add(cluster(ClusterNames.whole(service), service, config));
    return clusters;
  }

  private static Cluster cluster(String name, ServiceSpec service, PolicyConfig config) {
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
                        Percent.newBuilder().setValue(config.panicThresholdPercent())))
            .setOutlierDetection(
                OutlierDetection.newBuilder()
                    .setConsecutive5Xx(UInt32Value.of(5))
                    .setConsecutiveGatewayFailure(UInt32Value.of(5))
                    .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100))
                    .setEnforcingSuccessRate(UInt32Value.of(0))
                    .setEnforcingFailurePercentage(UInt32Value.of(0))
                    .setInterval(Duration.newBuilder().setSeconds(10))
                    .setBaseEjectionTime(Duration.newBuilder().setSeconds(30))
                    .setMaxEjectionPercent(UInt32Value.of(config.maxEjectionPercent())));
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
