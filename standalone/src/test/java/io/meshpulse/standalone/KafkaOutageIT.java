package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop through a Kafka outage: the broker stops for 20 s while the simulated fleet keeps
 * sending. The collector holds what it is sent, no traffic moves while the health records stop,
 * nothing is lost once the broker is back, and the loop then reacts to a fault as before.
 */
class KafkaOutageIT {
  private static final Duration OUTAGE_AT = Duration.ofSeconds(12);
  private static final Duration OUTAGE = Duration.ofSeconds(20);

  private static Path dataDir;
  private static Platform platform;
  private static HealthWatcher watcher;
  private static Demo demo;

  @BeforeAll
  static void startPlatform() throws Exception {
    dataDir = Files.createTempDirectory("meshpulse-outage-it-");
    Scenario scenario = ScenarioLoader.builtIn("hard-failure");
    Path topology = dataDir.resolve("topology.yaml");
    TopologyExport.write(scenario, topology);
    platform =
        Platform.start(PlatformOptions.builder(dataDir).randomPorts().topology(topology).build());
    watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC());
    demo = new Demo(LaunchOptions.parse(List.of("demo", "--no-ui")), new PrintStream(System.out));
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
  void aBrokerOutage_losesNoTelemetry_movesNoTraffic_andTheLoopReactsAfterIt() throws Exception {
    AtomicReference<Throwable> outageFailed = new AtomicReference<>();
    AtomicLong heldAtTheEnd = new AtomicLong(-1);
    Thread outage =
        new Thread(
            () -> {
              try {
                Thread.sleep(OUTAGE_AT.toMillis());
                platform.kafka().stop();
                Thread.sleep(OUTAGE.toMillis());
                heldAtTheEnd.set(collectorBufferRecords());
                platform.kafka().start();
              } catch (Throwable t) {
                outageFailed.set(t);
              }
            },
            "kafka-outage");
    outage.start();
    DemoReport through;
    try {
      through =
          demo.simulate(
              platform,
              watcher,
              SimulationOptions.builder(ScenarioLoader.builtIn("null"))
                  .duration(OUTAGE_AT.plus(OUTAGE).plusSeconds(20)));
    } finally {
      // Never start the broker again after the platform has closed.
      outage.join();
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

    DemoReport after =
        demo.simulate(
            platform,
            watcher,
            SimulationOptions.builder(ScenarioLoader.builtIn("hard-failure"))
                .duration(Duration.ofSeconds(32))
                .faultAt(Duration.ofSeconds(16)));
    System.out.print(after.summary());

    assertThat(after.recordsLost()).as("records lost after the outage").isZero();
    assertThat(after.reactionSeconds())
        .as("fault onset -> every proxy applied the ejection or weight change (s)")
        .isNotNull()
        .isLessThanOrEqualTo(5.0);
    assertThat(after.falseActions())
        .as("actions on healthy endpoints; decisions: %s", after.decisionLog())
        .isZero();
  }
}
