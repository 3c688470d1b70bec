package io.meshpulse.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.sim.SimulationOptions;
import io.meshpulse.sim.TopologyExport;
import io.meshpulse.sim.scenario.Scenario;
import io.meshpulse.sim.scenario.ScenarioLoader;
import io.meshpulse.xds.XdsControlRuntime;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The loop through a control-plane failover. xds-control runs as a leader (the platform's) and a
 * standby on one ADS address, as two pods behind a Service; the leader shuts down while the fleet
 * sends. The standby takes the lease and the address over, the proxies reconnect to it and route on
 * their last configuration meanwhile, and a hard failure after the handover is routed around within
 * seconds, with no action on a healthy endpoint.
 */
class FailoverIT {
  private static final String[] ELECTION = {
    "meshpulse.xds.leader-election.enabled=true", "meshpulse.xds.leader-election.lease-duration=10s"
  };

  @Test
  void theStandbyTakesTheLoopOver_andRoutesAroundAHardFailure() throws Exception {
    Path dataDir = Files.createTempDirectory("meshpulse-failover-it-");
    Scenario scenario = ScenarioLoader.builtIn("hard-failure");
    Path topology = dataDir.resolve("topology.yaml");
    TopologyExport.write(scenario, topology);
    PlatformOptions.Builder options =
        PlatformOptions.builder(dataDir).randomPorts().topology(topology);
    for (String p : ELECTION) {
      options.set(p);
    }
    options.set("meshpulse.xds.leader-election.holder=xds-leader");
    try (Platform platform = Platform.start(options.build());
        HealthWatcher watcher = new HealthWatcher(platform.kafkaBootstrap(), Clock.systemUTC());
        ConfigurableApplicationContext standby =
            startStandby(platform, topology, dataDir.resolve("standby-streams"))) {
      XdsControlRuntime leader = platform.xdsControl();
      XdsControlRuntime successor = standby.getBean(XdsControlRuntime.class);
      assertThat(leader.role()).isEqualTo("leader");
      assertThat(successor.role()).isEqualTo("standby");

      // The leader shuts down 8 s into the run; the fault comes 16 s after that.
      AtomicReference<Throwable> stopFailed = new AtomicReference<>();
      AtomicLong stoppedAt = new AtomicLong();
      Thread stopper =
          new Thread(
              () -> {
                try {
                  Thread.sleep(8_000);
                  leader.close();
                  stoppedAt.set(System.currentTimeMillis());
                } catch (Throwable t) {
                  stopFailed.set(t);
                }
              },
              "leader-shutdown");
      stopper.start();
      Demo demo =
          new Demo(LaunchOptions.parse(List.of("demo", "--no-ui")), new PrintStream(System.out));
      DemoReport report;
      try {
        report =
            demo.simulate(
                platform,
                watcher,
                SimulationOptions.builder(scenario)
                    .duration(Duration.ofSeconds(40))
                    .faultAt(Duration.ofSeconds(24)));
      } finally {
        stopper.join();
      }
      System.out.print(report.summary());
      System.out.printf(
          "ADS reconnects %d; the new leader's last evaluation %d ms after the leader closed%n",
          report.simulation().xdsReconnects(),
          successor.loop().view().evaluatedAt().toEpochMilli() - stoppedAt.get());

      assertThat(stopFailed.get()).as("the leader shut down").isNull();
      assertThat(successor.role()).as("the standby after the leader went").isEqualTo("leader");
      assertThat(successor.adsPort()).as("on the leader's address").isEqualTo(platform.adsPort());
      assertThat(report.simulation().xdsReconnects())
          .as("proxies reconnected to the new leader")
          .isPositive();
      ClosedLoopIT.assertRoutedAround(
          report, "every proxy applied the new leader's ejection or weight change");
      assertThat(successor.loop().view().ready()).as("the new leader publishes routing").isTrue();
    } finally {
      Demo.deleteQuietly(dataDir);
    }
  }

  private static ConfigurableApplicationContext startStandby(
      Platform platform, Path topology, Path stateDir) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--meshpulse.xds.topology-file=" + topology,
                "--meshpulse.xds.ads.port=" + platform.adsPort(),
                "--meshpulse.xds.ads.bind-address=127.0.0.1",
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--meshpulse.xds.kafka.bootstrap-servers=" + platform.kafkaBootstrap(),
                "--meshpulse.xds.kafka.state-dir=" + stateDir,
                "--meshpulse.xds.leader-election.holder=xds-standby"));
    for (String p : ELECTION) {
      args.add("--" + p);
    }
    return Platform.startXdsControl(args.toArray(String[]::new));
  }
}
