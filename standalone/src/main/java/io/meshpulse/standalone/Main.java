package io.meshpulse.standalone;

import io.meshpulse.sim.SimMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code ./meshpulse demo}, {@code ./meshpulse standalone} and {@code ./meshpulse
 * sim}.
 */
public final class Main {
  private static final Logger logger = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    List<String> argList = Arrays.asList(args);
    if (!argList.isEmpty() && argList.get(0).equals("sim")) {
      SimMain.main(argList.subList(1, argList.size()).toArray(String[]::new));
      return;
    }
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(argList);
    } catch (IllegalArgumentException e) {
      System.err.println("meshpulse: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path dataDir = Files.createTempDirectory("meshpulse-");
    int exit;
    try {
      exit =
          options.command().equals("demo") ? demo(options, dataDir) : standalone(options, dataDir);
    } finally {
      Demo.deleteQuietly(dataDir);
    }
    System.exit(exit);
  }

  private static int demo(LaunchOptions options, Path dataDir) throws Exception {
    try {
      new Demo(options, System.out).run(options.applyTo(PlatformOptions.builder(dataDir)), dataDir);
      return 0;
    } catch (io.meshpulse.sim.scenario.ScenarioException e) {
      System.err.println("meshpulse: " + e.getMessage());
      return 2;
    }
  }

  private static int standalone(LaunchOptions options, Path dataDir) throws Exception {
    Path topology = options.topology().orElse(dataDir.resolve("topology.yaml"));
    if (options.topology().isEmpty()) {
      Files.writeString(topology, "services: []\n");
      logger.info("no --topology given: serving an empty topology from {}", topology);
    } else if (!Files.isReadable(topology)) {
      System.err.println("meshpulse: --topology " + topology + " is not a readable file");
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopped.countDown();
                  try {
                    closed.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "meshpulse-shutdown"));
    try (Platform platform =
        Platform.start(
            options.applyTo(PlatformOptions.builder(dataDir)).topology(topology).build())) {
      logger.info(
          "meshpulse ready in {} ms: collector {} (ALS, MetricsService), ADS {}, API {}, Kafka {};"
              + " Ctrl-C stops",
          platform.startupTime().toMillis(),
          platform.collectorTarget(),
          platform.adsTarget(),
          platform.xdsHttpUrl(),
          platform.kafkaBootstrap());
      stopped.await();
      logger.info("stopping");
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
