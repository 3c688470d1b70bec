package io.meshpulse.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IstioMetricsTest {
  private final List<String> overflows = new ArrayList<>();
  private final IstioMetrics metrics =
      new IstioMetrics(new CardinalityLimits(3, 5), (metric, label) -> overflows.add(label));

  @Test
  void requests_areCountedPerSeriesWithDurationInIstiosMillisecondBuckets() throws IOException {
    metrics.record(request("reviews", 200, 7_000));
    metrics.record(request("reviews", 200, 30_000));

    String text = prometheusText();

    assertThat(text)
        .as("exposition")
        .contains("# TYPE istio_requests_total counter")
        .containsPattern("istio_requests_total\\{[^}]*destination_service=\"reviews\"[^}]*\\} 2")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"5.0\"\\} 0")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"10.0\"\\} 1")
        .containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"50.0\"\\} 2")
        .containsPattern("istio_request_duration_milliseconds_sum\\{[^}]*\\} 37.0")
        .containsPattern("istio_request_bytes_bucket\\{[^}]*le=\"1000.0\"\\} 2")
        .containsPattern("istio_response_bytes_bucket\\{[^}]*le=\"10000.0\"\\} 2");
  }

  @Test
  void openMetricsExposition_keepsIstiosSampleNames() throws IOException {
    metrics.record(request("reviews", 200, 7_000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new OpenMetricsTextFormatWriter(false, false).write(out, metrics.collect());

    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("openmetrics exposition")
        .contains("# TYPE istio_requests counter")
        .containsPattern("\nistio_requests_total\\{")
        .containsPattern("\nistio_request_duration_milliseconds_bucket\\{");
  }

  @Test
  void missingPeerValues_areUnknownAndNonGrpcStatusIsEmpty() throws IOException {
    metrics.record(request("reviews", 503, 1_000));

    assertThat(prometheusText())
        .as("exposition")
        .contains("source_principal=\"unknown\"")
        .contains("grpc_response_status=\"\"")
        .contains("response_flags=\"-\"")
        .contains("reporter=\"source\"");
  }

  @Test
  void valuesBeyondThePerLabelCap_foldIntoOther() throws IOException {
    for (String service : List.of("a", "b", "c", "d", "e")) {
      metrics.record(request(service, 200, 1_000));
    }

    String text = prometheusText();

    assertThat(text).as("folded").contains("destination_service=\"other\"");
    assertThat(text).as("over the cap").doesNotContain("destination_service=\"d\"");
    assertThat(overflows).as("overflow reported per label").contains("destination_service");
  }

  @Test
  void seriesBeyondTheCap_foldIntoOneOverflowSeries() {
    for (int code : new int[] {200, 201, 202}) {
      for (String service : List.of("a", "b", "c")) {
        metrics.record(request(service, code, 1_000));
      }
    }

    assertThat(metrics.httpSeries()).as("series").isEqualTo(5);
    assertThat(overflows).as("series overflow reported").contains(CardinalityGuard.SERIES);
  }

  @Test
  void tcpRecords_feedTheTcpCountersOnly() throws IOException {
    metrics.record(
        AccessRecord.newBuilder()
            .setProtocol(Protocol.PROTOCOL_TCP)
            .setReporter(Reporter.REPORTER_DESTINATION)
            .setRequestBytes(10)
            .setResponseBytes(20)
            .setConnectionOpened(true)
            .build());

    String text = prometheusText();

    assertThat(text)
        .as("tcp exposition")
        .containsPattern(
            "istio_tcp_received_bytes_total\\{[^}]*reporter=\"destination\"[^}]*\\} 10")
        .containsPattern("istio_tcp_sent_bytes_total\\{[^}]*\\} 20")
        .containsPattern("istio_tcp_connections_opened_total\\{[^}]*\\} 1")
        .containsPattern("istio_tcp_connections_closed_total\\{[^}]*\\} 0")
        .doesNotContain("istio_requests_total{")
        .doesNotContainPattern("istio_tcp_sent_bytes_total\\{[^}]*response_code");
  }

  private String prometheusText() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.collect());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static AccessRecord request(String service, int code, long durationMicros) {
    return AccessRecord.newBuilder()
        .setReporter(Reporter.REPORTER_SOURCE)
        .setProtocol(Protocol.PROTOCOL_HTTP)
        .setSource(Peer.newBuilder().setWorkload("productpage-v1"))
        .setDestination(Peer.newBuilder().setService(service))
        .setResponseCode(code)
        .setDurationMicros(durationMicros)
        .setRequestBytes(500)
        .setResponseBytes(5_000)
        .setResponseFlagsText("-")
        .build();
  }
}
