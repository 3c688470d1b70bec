package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.meshpulse.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxyless gRPC clients (grpc-xds, {@code xds:///greeter}) routed by a virtual service for the
 * mesh: a header match sends matching calls only to its subset, and a 90/10 split sends about 90/10
 * of the others, within binomial tolerance.
 */
class RoutingGrpcIT {
  static final int CALLS = 2_000;

  static final String ROUTING =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: greeter}
      spec:
        hosts: [greeter]
        http:
          - name: canary-testers
            match:
              - headers:
                  x-canary: {exact: "true"}
            route:
              - destination: {host: greeter, subset: v2}
          - name: split
            route:
              - destination: {host: greeter, subset: v1}
                weight: 90
              - destination: {host: greeter, subset: v2}
                weight: 10
      """;

  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static CountingBackend v1;
  static CountingBackend v2;
  static ManagedChannel channel;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    v1 = new CountingBackend();
    v2 = new CountingBackend();
    Path topology =
        Files.writeString(
            dir.resolve("topology.yml"),
            """
            services:
              - name: greeter
                port: 9080
                protocol: grpc
                subsets:
                  - name: v1
                    endpoints: [{address: 127.0.0.1, port: %d}]
                  - name: v2
                    endpoints: [{address: 127.0.0.1, port: %d}]
            """
                .formatted(v1.port(), v2.port()));
    Path routing = Files.writeString(dir.resolve("routing.yml"), ROUTING);
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "routing-grpc-it",
            "meshpulse.xds.routing-files=" + routing,
            "meshpulse.xds.policy.stale-after=60s",
            "meshpulse.xds.policy.silent-after=90s",
            "meshpulse.xds.policy.hold-for=120s");
    app.awaitReady(Duration.ofSeconds(60));
    // The bootstrap is read once per JVM; failsafe gives each IT class its own JVM.
    System.setProperty(
        "io.grpc.xds.bootstrapConfig",
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                          "server_features": ["xds_v3"]}],
         "node": {"id": "grpc-routing-it", "cluster": "test", "locality": {"region": "local", "zone": "a"}}}
        """
            .formatted(app.adsPort()));
    channel = Grpc.newChannelBuilder("xds:///greeter", InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (app != null) {
      app.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (v1 != null) {
      v1.close();
    }
    if (v2 != null) {
      v2.close();
    }
  }

  private static void call(HealthGrpc.HealthBlockingStub stub) {
    stub.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
  }

  @Test
  void aHeaderMatchSendsMatchingCallsOnlyToItsSubset_andTheSplitIsAbout90To10() {
    HealthGrpc.HealthBlockingStub plain = HealthGrpc.newBlockingStub(channel);
    Metadata canary = new Metadata();
    canary.put(Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER), "true");
    HealthGrpc.HealthBlockingStub testers =
        plain.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(canary));
    call(plain); // resolves the target over xDS

    long v1Before = v1.calls();
    long v2Before = v2.calls();
    for (int i = 0; i < 300; i++) {
      call(testers);
    }
    long testersToV1 = v1.calls() - v1Before;
    long testersToV2 = v2.calls() - v2Before;
    System.out.printf("header match: %d calls -> v1 %d, v2 %d%n", 300, testersToV1, testersToV2);
    assertThat(testersToV1).as("calls with x-canary: true that reached v1").isZero();
    assertThat(testersToV2).as("calls with x-canary: true that reached v2").isEqualTo(300);

    v1Before = v1.calls();
    v2Before = v2.calls();
    for (int i = 0; i < CALLS; i++) {
      call(plain);
    }
    long toV1 = v1.calls() - v1Before;
    long toV2 = v2.calls() - v2Before;
    double expected = 0.1 * CALLS;
    double sigma = Math.sqrt(CALLS * 0.1 * 0.9);
    // 4.5 sigma: a correct 90/10 split fails this about once in 150,000 runs.
    double tolerance = 4.5 * sigma;
    System.out.printf(
        "split: %d calls -> v1 %d (%.1f %%), v2 %d (%.1f %%); expected v2 %.0f +- %.0f%n",
        CALLS, toV1, 100.0 * toV1 / CALLS, toV2, 100.0 * toV2 / CALLS, expected, tolerance);
    assertThat(toV1 + toV2).as("every call answered by one subset").isEqualTo(CALLS);
    assertThat((double) toV2)
        .as("calls to v2 of %d, 10 %% expected", CALLS)
        .isBetween(expected - tolerance, expected + tolerance);
  }
}
