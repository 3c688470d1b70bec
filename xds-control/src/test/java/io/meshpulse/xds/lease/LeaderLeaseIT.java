package io.meshpulse.xds.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.xds.kafka.KafkaClientConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lease on a real broker, in the two ways a holder goes that a clean shutdown does not cover:
 * its process is killed (the group gives the lease away only after the lease duration), and it
 * loses the brokers (it gives the lease up itself, within half the duration, before the group could
 * give it to another instance); and a lease started before the brokers are up.
 */
class LeaderLeaseIT {
  private static final Duration DURATION = Duration.ofSeconds(6);

  @Test
  void aKilledHolder_passesTheLeaseOn_afterTheDuration_notBefore() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      Process holder =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-Xmx64m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  LeaseHolderMain.class.getName(),
                  kafka.bootstrapServers(),
                  "lease-it",
                  "lease-it-group",
                  "killed",
                  Long.toString(DURATION.toMillis()))
              .redirectErrorStream(true)
              .start();
      try {
        BlockingQueue<String> lines = lines(holder);
        assertThat(awaitLine(lines, "acquired", Duration.ofSeconds(60)))
            .as("the other process holds the lease")
            .isTrue();
        CountDownLatch acquired = new CountDownLatch(1);
        try (LeaderLease standby = lease(kafka, "lease-it", "standby", acquired, new Lost())) {
          Thread.sleep(3_000);
          assertThat(acquired.getCount()).as("held elsewhere: standing by").isEqualTo(1);

          holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          long killed = System.nanoTime();
          assertThat(acquired.await(30, TimeUnit.SECONDS)).as("taken over").isTrue();
          long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
          System.out.println("lease taken over " + after + " ms after the holder was killed");

          assertThat(after)
              .as("not before the group stopped hearing from the holder for most of the duration")
              .isGreaterThanOrEqualTo(DURATION.toMillis() / 2);
          assertThat(after).isLessThan(DURATION.toMillis() + 10_000);
          assertThat(standby.held()).isTrue();
        }
      } finally {
        holder.destroyForcibly();
      }
    }
  }

  @Test
  void aHolderThatLosesTheBrokers_givesTheLeaseUp_withinHalfTheDuration() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      CountDownLatch acquired = new CountDownLatch(1);
      Lost lost = new Lost();
      try (LeaderLease holder = lease(kafka, "cut-off-it", "cut-off", acquired, lost)) {
        assertThat(acquired.await(60, TimeUnit.SECONDS)).as("held").isTrue();
        Thread.sleep(1_000);
        assertThat(holder.held()).isTrue();
        assertThat(lost.reasons).isEmpty();

        kafka.stop();
        long stopped = System.nanoTime();
        String reason = lost.reasons.poll(30, TimeUnit.SECONDS);
        long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        System.out.println("lease given up " + after + " ms after the broker stopped: " + reason);

        assertThat(reason).contains("not renewed");
        assertThat(holder.held()).isFalse();
        assertThat(after)
            .as("given up before the group could pass it on (the whole duration)")
            .isLessThan(DURATION.toMillis() / 2 + 1_500);
        assertThat(lost.reasons.poll(2, TimeUnit.SECONDS)).as("lost once").isNull();
      }
    }
  }

  @Test
  void aLeaseStartedWithTheBrokersDown_standsBy_andTakesTheLeaseWhenTheyAreBack() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.stop();
      CountDownLatch acquired = new CountDownLatch(1);
      Lost lost = new Lost();
      // No exception: an instance started while Kafka is down stands by.
      try (LeaderLease lease = lease(kafka, "late-it", "late", acquired, lost)) {
        assertThat(acquired.await(3, TimeUnit.SECONDS)).as("no lease without brokers").isFalse();

        kafka.start();

        assertThat(acquired.await(60, TimeUnit.SECONDS)).as("held once they are back").isTrue();
        assertThat(lease.held()).isTrue();
        assertThat(lost.reasons).isEmpty();
      }
    }
  }

  private static LeaderLease lease(
      EmbeddedKafka kafka, String topic, String holder, CountDownLatch acquired, Lost lost) {
    return new LeaderLease(
            KafkaClientConfig.of(kafka.bootstrapServers()),
            new LeaderLease.Settings(topic, topic + "-group", holder, DURATION),
            new LeaderLease.Listener() {
              @Override
              public void acquired() {
                acquired.countDown();
              }

              @Override
              public void lost(String reason) {
                lost.reasons.add(reason);
              }
            })
        .start();
  }

  private static final class Lost {
    final BlockingQueue<String> reasons = new LinkedBlockingQueue<>();
  }

  private static BlockingQueue<String> lines(Process process) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                // the process ended
              }
            },
            "lease-holder-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static boolean awaitLine(BlockingQueue<String> lines, String wanted, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> seen = new java.util.ArrayList<>();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (line.equals(wanted)) {
          return true;
        }
      }
    }
    System.out.println("the holder's output: " + seen);
    return false;
  }
}
