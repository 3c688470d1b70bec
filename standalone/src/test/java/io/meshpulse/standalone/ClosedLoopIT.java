package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.EnvoyInternalAddress;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.HealthState;
import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.model.Outcome;
import io.meshpulse.sim.model.ResponseFlag;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.sim.telemetry.AccessLogEntries;
import io.meshpulse.sim.telemetry.AlsSender;
import io.meshpulse.sim.telemetry.RequestRecord;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole loop in this JVM: embedded Kafka, the collector, the Flink job in a MiniCluster,
 * xds-control and the simulated fleet speaking ALS, MetricsService and ADS over real sockets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClosedLoopIT {
  private static Path dataDir;
  private static Platform platform;
  private static HealthWatcher watcher;
  private static Demo demo;

  @BeforeAll
  static void startPlatform() throws Exception {
    dataDir = Files.createTempDirectory("meshpulse-it-");
    Scenario scenario = ScenarioLoader.builtIn("hard-failure");
    Path topology = dataDir.resolve("topology.yaml");
    TopologyExport.write(scenario, topology);
    platform =
        Platform.start(PlatformOptions.builder(dataDir).randomPorts().topology(topology).build());
    System.out.printf("platform ready in %d ms%n", platform.startupTime().toMillis());
    watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC());
    demo = new Demo(LaunchOptions.parse(List.of("demo", "--no-ui")), new PrintStream(System.out));
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    if (platform != null) {
      platform.close();
    }
    Demo.deleteQuietly(dataDir);
  }

  @Test
  @Order(0)
  void platform_isReadyForTrafficWithinThirtySeconds() {
    assertThat(platform.startupTime()).as("platform start-up").isLessThan(Duration.ofSeconds(30));
  }

  @Test
  @Order(1)
  void nullScenario_losesNothing_andTakesNoAction() throws Exception {
    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                .duration(Duration.ofSeconds(20)));
    System.out.print(report.summary());

    assertThat(report.recordsSent()).as("records sent").isGreaterThan(10_000);
    assertThat(report.recordsLost()).as("records lost").isZero();
    assertThat(report.simulation().recordsDropped()).as("records the proxies dropped").isZero();
    assertThat(report.recordsInKafka()).as("records in Kafka").isEqualTo(report.recordsSent());
    // 15 endpoints scored every 500 ms for about 20 s: the quiet is the policy's, not silence.
    assertThat(report.healthRecords()).as("endpoint health records read").isGreaterThan(300);
    assertThat(report.falseActions())
        .as("actions on healthy endpoints; decisions: %s", report.decisionLog())
        .isZero();
  }

  @Test
  @Order(2)
  void aBrokerOutage_losesNoTelemetry_movesNoTraffic_andAHardFailureAfterIt_isRoutedAround()
      throws Exception {
    // The broker stops for 20 s while the fleet keeps sending: the collector holds what it is
    // sent, no traffic moves while the health records stop, nothing is lost once it is back, and
    // the loop then routes around a hard failure within seconds, as on a fresh platform.
    Duration outageAt = Duration.ofSeconds(12);
    Duration outage = Duration.ofSeconds(20);
    AtomicReference<Throwable> outageFailed = new AtomicReference<>();
    AtomicLong heldAtTheEnd = new AtomicLong(-1);
    Thread broker =
        new Thread(
            () -> {
              try {
                Thread.sleep(outageAt.toMillis());
                platform.kafka().stop();
                Thread.sleep(outage.toMillis());
                heldAtTheEnd.set(collectorBufferRecords());
                platform.kafka().start();
              } catch (Throwable t) {
                outageFailed.set(t);
              }
            },
            "kafka-outage");
    broker.start();
    DemoReport through;
    try {
      through =
          demo.simulate(
              platform,
              watcher,
              SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                  .duration(outageAt.plus(outage).plusSeconds(20)));
    } finally {
      // Never start the broker again after the platform has closed.
      broker.join();
    }
    System.out.print(through.summary());
    System.out.printf("collector held %,d records when the broker came back%n", heldAtTheEnd.get());

    assertThat(outageFailed.get()).as("the broker stopped and started again").isNull();
    assertThat(heldAtTheEnd.get())
        .as("records the collector held when the broker came back (3,000 a second for 20 s)")
        .isGreaterThan(30_000);
    assertThat(through.simulation().recordsDropped())
        .as("records the proxies dropped, pushed back")
        .isZero();
    assertThat(through.simulation().recordsUnsent()).as("records the proxies never sent").isZero();
    assertThat(through.recordsLost()).as("records lost").isZero();
    assertThat(through.recordsInKafka())
        .as("records in Kafka once it is back")
        .isEqualTo(through.recordsSent());
    assertThat(through.falseActions())
        .as("actions on healthy endpoints; decisions: %s", through.decisionLog())
        .isZero();

    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("hard-failure"))
                .duration(Duration.ofSeconds(32))
                .faultAt(Duration.ofSeconds(16)));
    System.out.print(report.summary());

    assertRoutedAround(report, "every proxy applied the ejection or weight change");
  }

  /**
   * The loop routed away from the fault within 5 s of its onset, to under a tenth of its share
   * before, losing no record and acting on no healthy endpoint.
   */
  static void assertRoutedAround(DemoReport report, String reaction) {
    assertThat(report.recordsLost()).as("records lost").isZero();
    assertThat(report.faultOnsetEpochMs()).as("fault onset").isNotNull();
    assertThat(report.reactionSeconds())
        .as("fault onset -> %s (s)", reaction)
        .isNotNull()
        .isLessThanOrEqualTo(5.0);
    assertThat(report.faultyTrafficShareBefore()).as("faulty share before").isGreaterThan(0.0);
    assertThat(report.faultyTrafficShareAfter())
        .as("faulty share after the reaction vs before (%s)", report.faultyTrafficShareBefore())
        .isLessThanOrEqualTo(report.faultyTrafficShareBefore() * 0.1);
    assertThat(report.falseActions())
        .as("actions on healthy endpoints; decisions: %s", report.decisionLog())
        .isZero();
  }

  @Test
  @Order(3)
  void aCanaryFailingAsAWhole_losesItsRouteWeightWithinSeconds() throws Exception {
    awaitNeutral();
    DemoReport report =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("bad-canary"))
                .duration(Duration.ofSeconds(24))
                .faultAt(Duration.ofSeconds(10)));
    System.out.print(report.summary());

    assertRoutedAround(report, "every proxy routed away from the canary subset");
  }

  @Test
  @Order(4)
  void anAmbientServicesFailingEndpoint_isJudgedFromItsWaypointsEntries() throws Exception {
    // One waypoint reports for every caller of an ambient-mode service of five pods; the fourth
    // pod fails every request. The entries name the service's VIP cluster and reach each pod
    // through the connect_originate listener, as Istio's waypoints log them.
    String service = "ratings.ambient.svc.cluster.local";
    AccessLogEntries entries = new AccessLogEntries("127.0.9.100");
    Node waypoint =
        Node.newBuilder()
            .setId("router~127.0.9.100~waypoint-7c9d8-x2x4q.ambient~ambient.svc.cluster.local")
            .setCluster("waypoint.ambient")
            .build();
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(platform.collectorTarget()).usePlaintext().build();
    // The simulated proxies' sender: one stream, the node on its first message, 100 ms batches.
    AlsSender sender =
        new AlsSender(
            channel, waypoint, "meshpulse", 1 << 20, 100, 10_000, System::currentTimeMillis);
    String failing = "127.0.9.4:9080";
    long requestId = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    try {
      while (!judged(failing, service)) {
        assertThat(System.nanoTime())
            .as(
                "the failing pod judged unhealthy from the waypoint's entries; health: %s",
                watcher.health(failing))
            .isLessThan(deadline);
        for (int i = 0; i < 25; i++) {
          String pod = "127.0.9." + (1 + requestId % 5) + ":9080";
          Outcome outcome =
              pod.equals(failing)
                  ? new Outcome(3, 503, -1, ResponseFlag.NONE, "via_upstream")
                  : new Outcome(3, 200, -1, ResponseFlag.NONE, "via_upstream");
          RequestRecord request =
              new RequestRecord(
                  System.currentTimeMillis(),
                  "ratings",
                  9080,
                  false,
                  "",
                  pod,
                  "",
                  outcome,
                  requestId++);
          sender.add(asWaypointEntry(entries.build(request), service, pod));
        }
        sender.flushIfDue();
        Thread.sleep(100);
      }
    } finally {
      sender.close(System.nanoTime() + Duration.ofSeconds(5).toNanos());
      channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }

    EndpointHealth healthy = watcher.health("127.0.9.1:9080").orElseThrow();
    assertThat(healthy.getCluster()).as("cluster of a healthy pod").isEqualTo(service);
    assertThat(healthy.getState()).as("a healthy pod").isEqualTo(HealthState.HEALTH_STATE_HEALTHY);
  }

  /** Whether the job has judged {@code endpoint} of {@code service} unhealthy. */
  private static boolean judged(String endpoint, String service) {
    return watcher
        .health(endpoint)
        .filter(h -> h.getCluster().equals(service))
        .filter(h -> h.getState() == HealthState.HEALTH_STATE_UNHEALTHY)
        .isPresent();
  }

  /**
   * A sidecar's entry as a waypoint logs it: the VIP cluster, the pod behind an internal address.
   */
  private static HTTPAccessLogEntry asWaypointEntry(
      HTTPAccessLogEntry sidecar, String service, String pod) {
    HTTPAccessLogEntry.Builder entry = sidecar.toBuilder();
    entry
        .getCommonPropertiesBuilder()
        .setUpstreamCluster("inbound-vip|9080|http|" + service)
        .setUpstreamRemoteAddress(
            Address.newBuilder()
                .setEnvoyInternalAddress(
                    EnvoyInternalAddress.newBuilder()
                        .setServerListenerName("connect_originate")
                        .setEndpointId(pod)));
    return entry.build();
  }

  /** The collector's {@code meshpulse_collector_buffer_records}, from its Prometheus endpoint. */
  private static long collectorBufferRecords() throws Exception {
    String exposition =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(platform.collectorHttpUrl() + "/actuator/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m =
        Pattern.compile("(?m)^meshpulse_collector_buffer_records(?:\\{[^}]*\\})? (\\S+)$")
            .matcher(exposition);
    if (!m.find()) {
      throw new IllegalStateException("no meshpulse_collector_buffer_records in the scrape");
    }
    return (long) Double.parseDouble(m.group(1));
  }

  /**
   * Waits until every endpoint and route is back at its neutral weight (an ejected endpoint comes
   * back ramping), so that an earlier run's recovery is not counted as an action of the next.
   */
  private static void awaitNeutral() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!allNeutral()) {
      assertThat(System.nanoTime())
          .as("every endpoint and route back at its neutral weight")
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static boolean allNeutral() {
    var view = platform.xdsControl().loop().view();
    return view.ready()
        && view.state().shifts().values().stream().allMatch(remaining -> remaining >= 100)
        && view.intended().services().values().stream()
            .flatMap(r -> r.endpoints().stream())
            .allMatch(
                e ->
                    e.status() == io.meshpulse.xds.policy.EndpointStatus.ACTIVE
                        && e.weight()
                            == platform.xdsControl().loop().policy().config().neutralWeight());
  }
}
