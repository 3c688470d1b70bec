package io.meshpulse.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.meshpulse.model.MeshpulseBuild;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class XdsMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final XdsMetrics metrics = new XdsMetrics(registry);

  @Test
  void buildInfo_namesTheComponentAndTheBuildItRuns() {
    MeshpulseBuild build = MeshpulseBuild.current();

    assertThat(registry.scrape())
        .contains(
            "meshpulse_build_info{component=\"xds-control\",revision=\""
                + build.revision()
                + "\",version=\""
                + build.version()
                + "\"} 1\n");
  }

  @Test
  void nacks_existAtZeroForEveryServedType_beforeTheFirstNack() {
    String text = registry.scrape();
    for (String type : XdsMetrics.TYPES) {
      assertThat(text)
          .as("exposition of a control plane without NACKs")
          .contains("meshpulse_xds_nacks_total{type=\"" + type + "\"} 0.0");
    }
  }

  @Test
  void aNack_isCountedOnTheTypeItRejected_andInTheTotal() {
    metrics.onV3StreamRequest(
        7,
        DiscoveryRequest.newBuilder()
            .setTypeUrl("type.googleapis.com/envoy.config.route.v3.RouteConfiguration")
            .setErrorDetail(Status.newBuilder().setMessage("bad route"))
            .build());
    metrics.onV3StreamRequest(
        7,
        DiscoveryRequest.newBuilder()
            .setTypeUrl("type.googleapis.com/envoy.config.cluster.v3.Cluster")
            .build());

    assertThat(registry.scrape())
        .as("exposition after one rejected route configuration")
        .contains("meshpulse_xds_nacks_total{type=\"RouteConfiguration\"} 1.0")
        .contains("meshpulse_xds_nacks_total{type=\"Cluster\"} 0.0");
    assertThat(metrics.nacks()).as("NACKs of every type").isEqualTo(1.0);
  }

  @Test
  void aNackOnAPerTypeStream_isCountedOnTheStreamsType() {
    metrics.onStreamOpen(8, "type.googleapis.com/envoy.config.listener.v3.Listener");
    metrics.onV3StreamRequest(
        8,
        DiscoveryRequest.newBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("bad listener"))
            .build());

    assertThat(registry.scrape())
        .as("a NACK without a type URL, on a listener stream")
        .contains("meshpulse_xds_nacks_total{type=\"Listener\"} 1.0");
  }
}
