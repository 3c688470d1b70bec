package io.meshpulse.standalone;

import io.meshpulse.sim.SimMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    boolean demo = options.command().equals("demo");
    // Ctrl-C: the hook asks the main thread to stop (the demo is interrupted, standalone waits on
    // the latch) and waits until it has closed the platform and deleted the data directory; the
    // JVM halts once the hook returns.
    Thread mainThread = Thread.currentThread();
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch cleanedUp = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopRequested.countDown();
                  if (demo) {
                    mainThread.interrupt();
                  }
                  try {
                    cleanedUp.await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "meshpulse-shutdown"));
    int exit;
    try {
      exit = demo ? demo(options, dataDir) : standalone(options, dataDir, stopRequested);
    } catch (Exception e) {
      exit = failed(e, stopRequested.getCount() == 0);
    } finally {
      Demo.deleteQuietly(dataDir);
      cleanedUp.countDown();
    }
    System.exit(exit);
  }

  /** How long Ctrl-C waits for the platform to stop and its data directory to go. */
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

  /**
   * The exit status of a run that threw: 130 when stopped by Ctrl-C, else 1, with one line naming
   * the cause (and the stack trace for one the platform did not describe itself).
   */
  private static int failed(Exception e, boolean stopped) {
    if (stopped) {
      logger.info("stopped");
      return 130;
    }
    boolean described =
        e instanceof IllegalStateException
            || e instanceof IllegalArgumentException
            || e instanceof java.io.UncheckedIOException;
    if (!described) {
      logger.error("the platform failed", e);
    }
    System.err.println(
        "meshpulse: "
            + (e.getMessage() == null ? e.toString() : e.getMessage())
            + (described ? "" : " (stack trace above)"));
    return 1;
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

  private static int standalone(LaunchOptions options, Path dataDir, CountDownLatch stopRequested)
      throws Exception {
    Path topology = options.topology().orElse(dataDir.resolve("topology.yaml"));
    if (options.topology().isEmpty()) {
      Files.writeString(topology, "services: []\n");
      logger.info("no --topology given: serving an empty topology from {}", topology);
    } else if (!Files.isReadable(topology)) {
      System.err.println("meshpulse: --topology " + topology + " is not a readable file");
      return 2;
    }
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
      stopRequested.await();
      logger.info("stopping");
    }
    return 0;
  }
}
