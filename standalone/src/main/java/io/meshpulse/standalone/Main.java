package io.meshpulse.standalone;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.kafka.MeshTopics;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of {@code ./meshpulse demo} and {@code ./meshpulse standalone}. */
public final class Main {
  private static final Logger logger = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(Arrays.asList(args));
    } catch (IllegalArgumentException e) {
      System.err.println("meshpulse: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedKafka kafka = EmbeddedKafka.builder().port(options.kafkaPort()).build();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  logger.info("shutting down");
                  kafka.close();
                  stopped.countDown();
                },
                "meshpulse-shutdown"));
    kafka.start();
    kafka.createTopics(MeshTopics.all(3));
    logger.info(
        "platform ready kafka={} startupMs={} components=kafka"
            + " (the collector, the Flink health job and xds-control join as they land)",
        kafka.bootstrapServers(),
        kafka.startupTime().toMillis());
    Duration duration = options.duration();
    if (duration.isZero()) {
      logger.info("running until Ctrl-C");
      stopped.await();
    } else {
      logger.info("{} runs for {}s", options.command(), duration.toSeconds());
      stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
      System.exit(0);
    }
  }
}
