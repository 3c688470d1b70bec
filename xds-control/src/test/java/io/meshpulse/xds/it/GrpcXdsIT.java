package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.xds.policy.EndpointRouting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxyless gRPC clients (grpc-xds, {@code xds:///greeter}) against xds-control and three real gRPC
 * backends: traffic follows the weights, an UNHEALTHY record stops traffic to its endpoint within a
 * second, and recovery brings it back through the ramp.
 */
class GrpcXdsIT {
  private static final Logger logger = LoggerFactory.getLogger(GrpcXdsIT.class);

  static EmbeddedKafka kafka;
  static XdsControlHarness app;
  static XdsControlHarness.HealthProducer producer;
  static List<CountingBackend> backends;
  static List<ManagedChannel> channels;
  static final AtomicLong failures = new AtomicLong();
  static XdsControlHarness.HealthPipeline pipeline;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    backends = List.of(new CountingBackend(), new CountingBackend(), new CountingBackend());
    Path topology =
        Topologies.write(
            dir,
            Topologies.service(
                "greeter",
                9080,
                "grpc",
                backends.stream().mapToInt(CountingBackend::port).toArray()));
    app =
        new XdsControlHarness(
            kafka,
            topology,
            dir.resolve("state"),
            "grpc-xds-it",
            "meshpulse.xds.policy.max-weight-step-percent=50",
            "meshpulse.xds.policy.step-interval=200ms",
            "meshpulse.xds.policy.min-dwell=1s",
            "meshpulse.xds.policy.base-ejection-time=2s",
            "meshpulse.xds.policy.ramp-start-percent=20");
    app.awaitReady(Duration.ofSeconds(60));
    producer = new XdsControlHarness.HealthProducer(kafka);
    // Like the stream processor: every endpoint's latest verdict, once a second.
    pipeline = new XdsControlHarness.HealthPipeline(producer, Duration.ofSeconds(1));
    for (CountingBackend b : backends) {
      pipeline.put("greeter", b.port(), HealthState.HEALTH_STATE_HEALTHY);
    }
    pipeline.start();
    System.setProperty(
        "io.grpc.xds.bootstrapConfig",
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                          "server_features": ["xds_v3"]}],
         "node": {"id": "grpc-it-client", "cluster": "test", "locality": {"region": "local", "zone": "a"}}}
        """
            .formatted(app.adsPort()));
    channels =
        List.of(
            Grpc.newChannelBuilder("xds:///greeter", InsecureChannelCredentials.create()).build(),
            Grpc.newChannelBuilder("xds:///greeter", InsecureChannelCredentials.create()).build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (pipeline != null) {
      pipeline.close();
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.clearProperty("io.grpc.xds.bootstrapConfig");
    producer.close();
    app.close();
    for (CountingBackend b : backends) {
      b.close();
    }
    kafka.close();
  }

  /** Makes {@code n} calls spread over the clients; returns each backend's share. */
  static double[] call(int n) {
    long[] before = backends.stream().mapToLong(CountingBackend::calls).toArray();
    for (int i = 0; i < n; i++) {
      try {
        HealthGrpc.newBlockingStub(channels.get(i % channels.size()))
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
      } catch (RuntimeException e) {
        failures.incrementAndGet();
      }
    }
    double[] share = new double[backends.size()];
    long total = 0;
    for (int i = 0; i < share.length; i++) {
      total += backends.get(i).calls() - before[i];
    }
    for (int i = 0; i < share.length; i++) {
      share[i] = (backends.get(i).calls() - before[i]) / (double) Math.max(1, total);
    }
    return share;
  }

  static int weight(CountingBackend b) {
    return app.runtime().loop().view().intended().services().get("greeter").endpoints().stream()
        .filter(e -> e.id().port() == b.port())
        .mapToInt(EndpointRouting::weight)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void trafficFollowsTheWeights_anEjectionStopsItWithinOneSecond_andRecoveryRampsItBack()
      throws Exception {
    CountingBackend a = backends.get(0);
    CountingBackend c = backends.get(2);
    call(60); // warm-up: xDS resources fetched, subchannels connected
    double[] even = call(600);
    for (int i = 0; i < even.length; i++) {
      assertThat(even[i])
          .as("neutral weights: share of backend %d in %s", i, java.util.Arrays.toString(even))
          .isBetween(0.25, 0.42);
    }

    pipeline.put("greeter", c.port(), HealthState.HEALTH_STATE_DEGRADED);
    XdsControlHarness.await(() -> weight(c) == 50, Duration.ofSeconds(10), "the degraded weight");
    call(60);
    double[] weighted = call(1000);
    logger.info("shares with weights 100/100/50: {}", java.util.Arrays.toString(weighted));
    assertThat(weighted[2])
        .as("share of the endpoint at weight 50 (expected 0.2)")
        .isBetween(0.14, 0.26);
    assertThat(weighted[0])
        .as("share of an endpoint at weight 100 (expected 0.4)")
        .isBetween(0.34, 0.46);

    AtomicBoolean calling = new AtomicBoolean(true);
    Thread load =
        new Thread(
            () -> {
              while (calling.get()) {
                call(10);
              }
            });
    load.start();
    try {
      Thread.sleep(300);
      pipeline.put("greeter", a.port(), HealthState.HEALTH_STATE_UNHEALTHY);
      producer.send("greeter", "127.0.0.1", a.port(), HealthState.HEALTH_STATE_UNHEALTHY, 0.05);
      long arrived = System.nanoTime();
      Thread.sleep(2500);
      long delayMillis = TimeUnit.NANOSECONDS.toMillis(a.lastCallNanos() - arrived);
      logger.info("last call to the ejected endpoint {} ms after the record arrived", delayMillis);
      assertThat(delayMillis)
          .as("ms from the UNHEALTHY record's arrival to the last call on its endpoint")
          .isLessThan(1000);
      long callsWhileEjected = a.calls();
      Thread.sleep(500);
      assertThat(a.calls()).as("no calls while ejected").isEqualTo(callsWhileEjected);

      pipeline.put("greeter", a.port(), HealthState.HEALTH_STATE_HEALTHY);
      try {
        XdsControlHarness.await(
            () -> a.calls() > callsWhileEjected,
            Duration.ofSeconds(30),
            "calls after re-admission");
      } catch (AssertionError e) {
        // Say why: what the policy decided and what it intends for each endpoint now.
        throw new AssertionError(
            e.getMessage()
                + "; intended routing now "
                + app.runtime().loop().view().intended().services().get("greeter")
                + ", client call failures "
                + failures.get()
                + ", decisions: "
                + app.get("/api/v1/decisions?cluster=greeter").body(),
            e);
      }
      XdsControlHarness.await(
          () -> weight(a) == 100, Duration.ofSeconds(10), "the ramp to the neutral weight");
    } finally {
      calling.set(false);
      load.join(10_000);
    }
    call(60);
    double[] recovered = call(1000);
    logger.info("shares after recovery: {}", java.util.Arrays.toString(recovered));
    assertThat(recovered[0])
        .as("share of the recovered endpoint (expected 0.4)")
        .isBetween(0.34, 0.46);
    assertThat(app.get("/api/v1/decisions?cluster=greeter").body())
        .as("decisions")
        .contains("ENDPOINT_ACTION_EJECT", "ENDPOINT_ACTION_READMIT");
  }
}
