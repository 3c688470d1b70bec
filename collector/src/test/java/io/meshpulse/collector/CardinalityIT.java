package io.meshpulse.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CardinalityIT {
  private static final int DISTINCT = 100_000;
  private static final int MAX_VALUES = 50;
  private static final int MAX_SERIES = 80;

  @Test
  void aHundredThousandDistinctServices_neverMakeMoreSeriesThanTheCap() {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(MeshTopics.all(1));
      try (CollectorRunner collector =
          CollectorRunner.start(
              kafka.bootstrapServers(),
              "meshpulse.collector.cardinality.max-values-per-label=" + MAX_VALUES,
              "meshpulse.collector.cardinality.max-series-per-metric=" + MAX_SERIES)) {
        ManagedChannel channel = collector.plaintextChannel();
        Node node = Node.newBuilder().setId("gateway-1").setCluster("gateway").build();
        List<StreamAccessLogsMessage> messages = new ArrayList<>();
        for (int batch = 0; batch < DISTINCT / 1000; batch++) {
          List<HTTPAccessLogEntry> entries = new ArrayList<>();
          for (int i = 0; i < 1000; i++) {
            entries.add(entry(batch * 1000 + i));
          }
          messages.add(batch == 0 ? EnvoyClient.first(node, entries) : EnvoyClient.http(entries));
        }

        Status status =
            EnvoyClient.await(
                EnvoyClient.sendAccessLogs(channel, messages), Duration.ofSeconds(120));
        String exposition = collector.scrape();
        channel.shutdownNow();

        assertThat(status.isOk()).as("stream status").isTrue();
        List<String> requestSeries = lines(exposition, "istio_requests_total{");
        assertThat(requestSeries.size())
            .as("istio_requests_total series")
            .isLessThanOrEqualTo(MAX_SERIES)
            .isGreaterThan(MAX_VALUES);
        assertThat(lines(exposition, "istio_request_duration_milliseconds_count{").size())
            .as("duration histogram series")
            .isLessThanOrEqualTo(MAX_SERIES);
        Set<String> services = values(requestSeries, "destination_service");
        assertThat(services.size())
            .as("distinct destination_service values")
            .isLessThanOrEqualTo(MAX_VALUES + 1);
        assertThat(services).as("overflow folded into other").contains("other");
        double total =
            requestSeries.stream()
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
        assertThat(total).as("every request still counted").isEqualTo(DISTINCT);
        assertThat(
                CollectorRunner.sample(
                    exposition,
                    "meshpulse_collector_cardinality_overflow_total{label=\"destination_service\",metric=\"istio_requests_total\"}"))
            .as("label overflow counted")
            .isPositive();
        assertThat(
                CollectorRunner.sample(
                    exposition,
                    "meshpulse_collector_cardinality_overflow_total{label=\"_series\",metric=\"istio_requests_total\"}"))
            .as("series overflow counted")
            .isPositive();
      }
    }
  }

  private static List<String> lines(String exposition, String prefix) {
    return Arrays.stream(exposition.split("\n")).filter(l -> l.startsWith(prefix)).toList();
  }

  private static Set<String> values(List<String> lines, String label) {
    Pattern pattern = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"");
    return lines.stream()
        .map(pattern::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .collect(Collectors.toSet());
  }

  private static HTTPAccessLogEntry entry(int n) {
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(AccessLogCommon.newBuilder().setUpstreamCluster("svc-" + n))
        .setResponse(
            HTTPResponseProperties.newBuilder().setResponseCode(UInt32Value.of(100 + n % 500)))
        .build();
  }
}
