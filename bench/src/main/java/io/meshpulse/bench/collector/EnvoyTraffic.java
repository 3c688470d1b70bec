package io.meshpulse.bench.collector;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Envoy-like access log traffic of an Istio mesh, built once before a run: sidecar nodes, and
 * batches of HTTP entries as Envoy's ALS sends them (about 100 entries a message, the identifier on
 * a stream's first message only). Entries carry what an Istio sidecar logs: addresses, timings,
 * upstream cluster ({@code outbound|9080|v2|reviews.default.svc.cluster.local} or {@code
 * inbound|9080||}), TLS SANs, request id, a {@code traceparent} header, sizes; a few have response
 * flags, a tenth are gRPC.
 */
final class EnvoyTraffic {
  static final int ENTRIES_PER_MESSAGE = 100;

  private static final String[] SERVICES = {
    "reviews", "ratings", "details", "productpage", "orders", "payments", "inventory", "catalog"
  };
  private static final String[] SUBSETS = {"v1", "v2", "v3"};
  private static final String[] PATHS = {
    "/reviews/0", "/ratings/7", "/details/3", "/api/v1/orders", "/api/v1/payments/authorize"
  };

  private EnvoyTraffic() {}

  /** An Istio sidecar node with the metadata istio-agent sends. */
  static Node node(int index) {
    String app = SERVICES[index % SERVICES.length];
    String version = SUBSETS[index % SUBSETS.length];
    String pod = app + "-" + version + "-6b746f74dc-" + String.format("%05d", index);
    String ip = "10.44." + (index / 250) + "." + (index % 250 + 1);
    Struct labels =
        Struct.newBuilder()
            .putFields("app", string(app))
            .putFields("version", version.isEmpty() ? string("v1") : string(version))
            .putFields("pod-template-hash", string("6b746f74dc"))
            .build();
    Struct metadata =
        Struct.newBuilder()
            .putFields("NAME", string(pod))
            .putFields("NAMESPACE", string("default"))
            .putFields("WORKLOAD_NAME", string(app + "-" + version))
            .putFields("ISTIO_VERSION", string("1.24.2"))
            .putFields("CLUSTER_ID", string("Kubernetes"))
            .putFields("MESH_ID", string("cluster.local"))
            .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())
            .build();
    return Node.newBuilder()
        .setId("sidecar~" + ip + "~" + pod + ".default~default.svc.cluster.local")
        .setCluster(app + ".default")
        .setMetadata(metadata)
        .setLocality(Locality.newBuilder().setRegion("us-east1").setZone("us-east1-b"))
        .build();
  }

  /** {@code count} distinct batches of {@link #ENTRIES_PER_MESSAGE} entries, without identifier. */
  static List<StreamAccessLogsMessage> batches(int count, long seed) {
    return batches(count, seed, false);
  }

  /**
   * The same batches; with {@code peerMetadata}, each entry also carries the peer's metadata as an
   * Istio 1.24 sidecar logs it for istiod's access log providers: the filter state object {@code
   * downstream_peer} (inbound) or {@code upstream_peer} (outbound), a Struct of the peer workload.
   */
  static List<StreamAccessLogsMessage> batches(int count, long seed, boolean peerMetadata) {
    SplittableRandom random = new SplittableRandom(seed);
    // The peer metadata's field order, drawn apart so the entries are otherwise as without it.
    SplittableRandom order = new SplittableRandom(seed + 1);
    List<StreamAccessLogsMessage> batches = new ArrayList<>(count);
    long startSeconds = 1_764_158_400L;
    for (int b = 0; b < count; b++) {
      StreamAccessLogsMessage.HTTPAccessLogEntries.Builder entries =
          StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
      for (int i = 0; i < ENTRIES_PER_MESSAGE; i++) {
        entries.addLogEntry(entry(random, startSeconds + b, peerMetadata ? order : null));
      }
      batches.add(StreamAccessLogsMessage.newBuilder().setHttpLogs(entries).build());
    }
    return batches;
  }

  /** {@code batch} as a stream's first message: with the identifier of {@code node}. */
  static StreamAccessLogsMessage first(Node node, StreamAccessLogsMessage batch) {
    return batch.toBuilder()
        .setIdentifier(
            StreamAccessLogsMessage.Identifier.newBuilder().setNode(node).setLogName("envoy_als"))
        .build();
  }

  /** An entry; with Istio's peer metadata, its fields in an order drawn from {@code order}. */
  private static HTTPAccessLogEntry entry(
      SplittableRandom random, long startSeconds, @Nullable SplittableRandom order) {
    String service = SERVICES[random.nextInt(SERVICES.length)];
    String fqdn = service + ".default.svc.cluster.local";
    boolean inbound = random.nextInt(10) < 3;
    boolean grpc = random.nextInt(10) == 0;
    int endpoint = random.nextInt(24);
    long latencyMicros = 500 + (long) (random.nextDouble() * random.nextDouble() * 200_000);
    AccessLogCommon.Builder common =
        AccessLogCommon.newBuilder()
            .setSampleRate(1.0)
            .setDownstreamRemoteAddress(address("10.44.2." + (random.nextInt(200) + 1), 40000))
            .setDownstreamLocalAddress(address("10.44.3.17", 9080))
            .setStartTime(
                Timestamp.newBuilder()
                    .setSeconds(startSeconds)
                    .setNanos(random.nextInt(1_000_000) * 1000))
            .setTimeToLastRxByte(micros(60))
            .setTimeToFirstUpstreamTxByte(micros(300))
            .setTimeToLastUpstreamTxByte(micros(350))
            .setTimeToFirstUpstreamRxByte(micros(latencyMicros - 200))
            .setTimeToLastUpstreamRxByte(micros(latencyMicros - 50))
            .setTimeToFirstDownstreamTxByte(micros(latencyMicros - 150))
            .setTimeToLastDownstreamTxByte(micros(latencyMicros))
            .setUpstreamRemoteAddress(
                address(inbound ? "127.0.0.6" : "10.44.5." + (endpoint + 1), 9080))
            .setUpstreamLocalAddress(address("10.44.2.55", 51000 + random.nextInt(1000)))
            .setUpstreamCluster(
                inbound
                    ? "inbound|9080||"
                    : "outbound|9080|" + SUBSETS[endpoint % SUBSETS.length] + "|" + fqdn)
            .setRouteName("default");
    TLSProperties.Builder tls =
        TLSProperties.newBuilder()
            .setTlsVersion(TLSProperties.TLSVersion.TLSv1_3)
            .setLocalCertificateProperties(san("bookinfo-" + service));
    if (inbound) {
      tls.setPeerCertificateProperties(san("bookinfo-productpage"));
    }
    common.setTlsProperties(tls);
    if (order != null) {
      common.putFilterStateObjects(
          inbound ? "downstream_peer" : "upstream_peer",
          inbound
              ? peer("productpage", "v1", endpoint % 4, order)
              : peer(service, SUBSETS[endpoint % SUBSETS.length], endpoint, order));
    }
    int roll = random.nextInt(100);
    int code = roll < 2 ? 503 : roll < 4 ? 404 : 200;
    if (code == 503) {
      common.setResponseFlags(
          ResponseFlags.newBuilder()
              .setUpstreamConnectionFailure(true)
              .setUpstreamRetryLimitExceeded(random.nextBoolean()));
    }
    String requestId = uuid(random);
    HTTPRequestProperties.Builder request =
        HTTPRequestProperties.newBuilder()
            .setRequestMethod(
                grpc || random.nextInt(5) == 0 ? RequestMethod.POST : RequestMethod.GET)
            .setScheme("http")
            .setAuthority(service + ":9080")
            .setPath(grpc ? "/" + service + ".v1.Api/Get" : PATHS[random.nextInt(PATHS.length)])
            .setUserAgent(grpc ? "grpc-java-netty/1.85.1" : "Mozilla/5.0 (X11; Linux x86_64)")
            .setRequestId(requestId)
            .setRequestHeadersBytes(180 + random.nextInt(200))
            .setRequestBodyBytes(grpc ? 42 : random.nextInt(4) == 0 ? 512 : 0)
            .putRequestHeaders(
                "traceparent", "00-" + hex(random, 32) + "-" + hex(random, 16) + "-01");
    if (grpc) {
      request.putRequestHeaders("content-type", "application/grpc");
    }
    HTTPResponseProperties.Builder response =
        HTTPResponseProperties.newBuilder()
            .setResponseCode(UInt32Value.of(code))
            .setResponseHeadersBytes(90 + random.nextInt(60))
            .setResponseBodyBytes(random.nextInt(20_000))
            .setResponseCodeDetails(
                code == 503 ? "upstream_reset_before_response_started" : "via_upstream");
    if (grpc) {
      response.putResponseTrailers("grpc-status", code == 200 ? "0" : "14");
    }
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(common)
        .setProtocolVersion(
            grpc ? HTTPAccessLogEntry.HTTPVersion.HTTP2 : HTTPAccessLogEntry.HTTPVersion.HTTP11)
        .setRequest(request)
        .setResponse(response)
        .build();
  }

  /**
   * A peer pod's metadata as Istio's peer metadata filter keeps it, its fields in a random order
   * (Envoy serializes a Struct's map in no fixed order).
   */
  private static Any peer(String app, String version, int pod, SplittableRandom order) {
    String[][] fields = {
      {"type", "deployment"},
      {"workload", app + "-" + version},
      {"name", app + "-" + version + "-6b746f74dc-" + pod},
      {"cluster", "Kubernetes"},
      {"namespace", "default"},
      {"service", app},
      {"revision", version},
      {"app", app},
      {"version", version}
    };
    for (int i = fields.length - 1; i > 0; i--) {
      int j = order.nextInt(i + 1);
      String[] swap = fields[i];
      fields[i] = fields[j];
      fields[j] = swap;
    }
    Struct.Builder struct = Struct.newBuilder();
    for (String[] field : fields) {
      struct.putFields(field[0], string(field[1]));
    }
    return Any.pack(struct.build());
  }

  private static Value string(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  private static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  private static Duration micros(long micros) {
    return Duration.newBuilder()
        .setSeconds(micros / 1_000_000)
        .setNanos((int) (micros % 1_000_000) * 1000)
        .build();
  }

  private static TLSProperties.CertificateProperties san(String serviceAccount) {
    return TLSProperties.CertificateProperties.newBuilder()
        .addSubjectAltName(
            TLSProperties.CertificateProperties.SubjectAltName.newBuilder()
                .setUri("spiffe://cluster.local/ns/default/sa/" + serviceAccount))
        .build();
  }

  private static String uuid(SplittableRandom random) {
    String hex = hex(random, 32);
    return hex.substring(0, 8)
        + "-"
        + hex.substring(8, 12)
        + "-"
        + hex.substring(12, 16)
        + "-"
        + hex.substring(16, 20)
        + "-"
        + hex.substring(20);
  }

  private static String hex(SplittableRandom random, int digits) {
    StringBuilder text = new StringBuilder(digits);
    for (int i = 0; i < digits; i++) {
      text.append(Character.forDigit(random.nextInt(16), 16));
    }
    return text.toString();
  }
}
