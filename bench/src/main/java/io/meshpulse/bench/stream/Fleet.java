package io.meshpulse.bench.stream;

import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.Locality;
import io.meshpulse.model.v1.Peer;
import io.meshpulse.model.v1.Protocol;
import io.meshpulse.model.v1.Reporter;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The simulated fleet: {@code endpoints} hosts in clusters of {@value #PER_CLUSTER} (two subsets of
 * 50), each cluster seen by {@value #PROXIES} proxies. Records look like the collector's: full
 * source and destination peers, ~300 bytes; 1 % are 503s, latency is log-normal around 20 ms.
 */
final class Fleet {
  static final int PER_CLUSTER = 100;
  static final int PROXIES = 20;

  private final int endpoints;
  private final AccessRecord[] templates;
  private final byte[][] keys;
  private final SplittableRandom random = new SplittableRandom(7);

  Fleet(int endpoints) {
    this.endpoints = endpoints;
    this.templates = new AccessRecord[endpoints];
    this.keys = new byte[endpoints][];
    for (int i = 0; i < endpoints; i++) {
      templates[i] = template(i);
      keys[i] = RecordKeys.of(templates[i]).getBytes(StandardCharsets.UTF_8);
    }
  }

  int endpoints() {
    return endpoints;
  }

  static String cluster(int endpoint) {
    return String.format("svc-%03d.bench.svc.cluster.local", endpoint / PER_CLUSTER);
  }

  static String address(int endpoint) {
    return "10."
        + ((endpoint >> 16) & 255)
        + "."
        + ((endpoint >> 8) & 255)
        + "."
        + (endpoint & 255);
  }

  /** The endpoint index of an address made by {@link #address}, or -1. */
  static int indexOf(String address) {
    String[] parts = address.split("\\.");
    if (parts.length != 4 || !parts[0].equals("10")) {
      return -1;
    }
    return (Integer.parseInt(parts[1]) << 16)
        | (Integer.parseInt(parts[2]) << 8)
        | Integer.parseInt(parts[3]);
  }

  byte[] key(int endpoint) {
    return keys[endpoint];
  }

  /**
   * One request to {@code endpoint} that completed at {@code completedMillis} (its event time; it
   * started its duration earlier), serialized.
   */
  byte[] record(int endpoint, long completedMillis) {
    boolean failed = random.nextInt(100) == 0;
    double latencyMillis = 20 * Math.exp(0.5 * nextGaussian());
    long durationMicros = (long) (latencyMillis * 1000);
    int proxy = random.nextInt(PROXIES);
    return templates[endpoint].toBuilder()
        .setNodeId(nodeId(endpoint / PER_CLUSTER, proxy))
        .setResponseCode(failed ? 503 : 200)
        .setStartTimeUnixMicros(completedMillis * 1000 + random.nextInt(1000) - durationMicros)
        .setDurationMicros(durationMicros)
        .setUpstreamLatencyMicros(durationMicros - 300)
        .setRequestId(Long.toHexString(random.nextLong()))
        .build()
        .toByteArray();
  }

  private double nextGaussian() {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static String nodeId(int cluster, int proxy) {
    return "sidecar~10.99." + cluster % 256 + "." + proxy + "~client-" + proxy + ".bench";
  }

  private static AccessRecord template(int endpoint) {
    String cluster = cluster(endpoint);
    String subset = endpoint % PER_CLUSTER < PER_CLUSTER / 2 ? "v1" : "v2";
    String app = cluster.substring(0, cluster.indexOf('.'));
    return AccessRecord.newBuilder()
        .setReporter(Reporter.REPORTER_SOURCE)
        .setSource(
            Peer.newBuilder()
                .setWorkload("client-v1")
                .setNamespace("bench")
                .setApp("client")
                .setVersion("v1")
                .setPrincipal("spiffe://cluster.local/ns/bench/sa/client"))
        .setDestination(
            Peer.newBuilder()
                .setWorkload(app + "-" + subset)
                .setNamespace("bench")
                .setApp(app)
                .setVersion(subset)
                .setService(cluster)
                .setServiceName(app)
                .setServiceNamespace("bench"))
        .setCluster(cluster)
        .setSubset(subset)
        .setUpstreamCluster("outbound|8080|" + subset + "|" + cluster)
        .setEndpoint(
            Endpoint.newBuilder()
                .setAddress(address(endpoint))
                .setPort(8080)
                .setLocality(Locality.newBuilder().setRegion("local").setZone("z" + endpoint % 3)))
        .setProtocol(Protocol.PROTOCOL_HTTP)
        .setResponseFlagsText("-")
        .setRequestBytes(310)
        .setResponseBytes(1_024)
        .setRequestMethod("GET")
        .setAuthority(app + ":8080")
        .setConnectionSecurityPolicy("mutual_tls")
        .build();
  }
}
