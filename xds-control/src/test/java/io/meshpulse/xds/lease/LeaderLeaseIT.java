package io.meshpulse.xds.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.testing.TcpRelay;
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
 * The lease on a real broker, in the ways a holder goes that a clean shutdown does not cover: its
 * process is killed (the group gives the lease away only after the lease duration); it loses the
 * brokers (it gives the lease up itself, within half the duration, before the group could give it
 * to another instance); and it alone is cut off from the brokers by a network partition while a
 * standby is not (the same, with the standby taking the lease after its holder stopped); and a
 * lease started before the brokers are up.
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
        Events events = new Events();
        try (LeaderLease standby = lease(kafka.bootstrapServers(), "lease-it", "standby", events)) {
          Thread.sleep(3_000);
          assertThat(events.acquired.getCount()).as("held elsewhere: standing by").isEqualTo(1);

          holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          long killed = System.nanoTime();
          assertThat(events.acquired.await(30, TimeUnit.SECONDS)).as("taken over").isTrue();
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
      Events events = new Events();
      try (LeaderLease holder = lease(kafka.bootstrapServers(), "cut-off-it", "cut-off", events)) {
        assertThat(events.acquired.await(60, TimeUnit.SECONDS)).as("held").isTrue();
        Thread.sleep(1_000);
        assertThat(holder.held()).isTrue();
        assertThat(events.reasons).isEmpty();

        kafka.stop();
        long stopped = System.nanoTime();
        String reason = events.reasons.poll(30, TimeUnit.SECONDS);
        long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        System.out.println("lease given up " + after + " ms after the broker stopped: " + reason);

        assertThat(reason).contains("not renewed");
        assertThat(holder.held()).isFalse();
        assertThat(after)
            .as("given up before the group could pass it on (the whole duration)")
            .isLessThan(DURATION.toMillis() / 2 + 1_500);
        assertThat(events.reasons.poll(2, TimeUnit.SECONDS)).as("lost once").isNull();
      }
    }
  }

  @Test
  void aLeaseStartedWithTheBrokersDown_standsBy_andTakesTheLeaseWhenTheyAreBack() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.stop();
      Events events = new Events();
      // No exception: an instance started while Kafka is down stands by.
      try (LeaderLease lease = lease(kafka.bootstrapServers(), "late-it", "late", events)) {
        assertThat(events.acquired.await(3, TimeUnit.SECONDS))
            .as("no lease without brokers")
            .isFalse();

        kafka.start();

        assertThat(events.acquired.await(60, TimeUnit.SECONDS))
            .as("held once they are back")
            .isTrue();
        assertThat(lease.held()).isTrue();
        assertThat(events.reasons).isEmpty();
      }
    }
  }

  @Test
  void aHolderCutOffFromTheBrokers_givesTheLeaseUp_beforeALiveStandbyIsGivenIt() throws Exception {
    try (TcpRelay relay = TcpRelay.open();
        EmbeddedKafka kafka =
            EmbeddedKafka.builder().port(0).relayedListener(relay.port()).build().start()) {
      relay.forwardTo(kafka.relayedListenerPort());
      Events holderEvents = new Events();
      // Every connection of the holder to the broker goes through the relay; the standby's not.
      try (LeaderLease holder =
          lease(kafka.relayedBootstrapServers(), "partition-it", "cut-off", holderEvents)) {
        assertThat(holderEvents.acquired.await(60, TimeUnit.SECONDS)).as("held").isTrue();
        Events standbyEvents = new Events();
        try (LeaderLease standby =
            lease(kafka.bootstrapServers(), "partition-it", "standby", standbyEvents)) {
          Thread.sleep(3_000);
          assertThat(standbyEvents.acquired.getCount()).as("standing by").isEqualTo(1);

          relay.cut();
          long cut = System.nanoTime();
          String reason = holderEvents.reasons.poll(30, TimeUnit.SECONDS);
          assertThat(standbyEvents.acquired.await(30, TimeUnit.SECONDS))
              .as("the live standby is given the lease")
              .isTrue();
          long givenUp = TimeUnit.NANOSECONDS.toMillis(holderEvents.lostAt - cut);
          long takenOver = TimeUnit.NANOSECONDS.toMillis(standbyEvents.acquiredAt - cut);
          System.out.println(
              "holder cut off: gave the lease up after "
                  + givenUp
                  + " ms, the standby took it after "
                  + takenOver
                  + " ms: "
                  + reason);

          assertThat(reason).contains("not renewed");
          assertThat(givenUp)
              .as("the cut-off holder stopped before the standby started: never two holders")
              .isLessThan(takenOver);
          assertThat(givenUp).isLessThan(DURATION.toMillis() / 2 + 1_500);
          assertThat(takenOver)
              .as("the group waits for the holder's session to expire")
              .isGreaterThanOrEqualTo(DURATION.toMillis() / 2);

          relay.heal();
          Thread.sleep(2_000);
          assertThat(standby.held()).as("still held after the partition healed").isTrue();
          assertThat(holder.held()).as("a lost lease is not taken back").isFalse();
          assertThat(standbyEvents.reasons).isEmpty();
          assertThat(holderEvents.reasons).as("lost once").isEmpty();
        }
      }
    }
  }

  private static LeaderLease lease(
      String bootstrapServers, String topic, String holder, Events events) {
    return new LeaderLease(
            KafkaClientConfig.of(bootstrapServers),
            new LeaderLease.Settings(topic, topic + "-group", holder, DURATION),
            new LeaderLease.Listener() {
              @Override
              public void acquired() {
                events.acquiredAt = System.nanoTime();
                events.acquired.countDown();
              }

              @Override
              public void lost(String reason) {
                events.lostAt = System.nanoTime();
                events.reasons.add(reason);
              }
            })
        .start();
  }

  /** What one lease told its listener, and when (System.nanoTime()). */
  private static final class Events {
    final CountDownLatch acquired = new CountDownLatch(1);
    volatile long acquiredAt;
    final BlockingQueue<String> reasons = new LinkedBlockingQueue<>();
    volatile long lostAt;
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
