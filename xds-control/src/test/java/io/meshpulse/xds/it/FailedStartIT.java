package io.meshpulse.xds.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.kafka.EmbeddedKafka;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails part-way closes what it had opened: the Kafka clients' threads (Streams'
 * threads are not daemons) and the file pollers would otherwise outlive it, and keep a process that
 * failed to start alive.
 */
class FailedStartIT {
  static EmbeddedKafka kafka;
  static Path topology;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = XdsControlHarness.startKafka();
    topology = Topologies.write(dir, Topologies.canary("reviews", 9080, 9101, 9102));
  }

  @AfterAll
  static void stop() throws Exception {
    XdsControlHarness.closeAll(kafka);
  }

  @Test
  void aStateDirectoryThatCannotBeCreated_failsTheStart_afterTheFirstClients_andLeavesNothing()
      throws Exception {
    // Kafka Streams is created after the rollout store's clients and the pollers.
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    Set<Thread> before = Thread.getAllStackTraces().keySet();

    assertThatThrownBy(
            () -> new XdsControlHarness(kafka, topology, file.resolve("state"), "failed-state-it"))
        .hasStackTraceContaining(file.resolve("state").toString());

    assertNoneLeftSince(before);
  }

  @Test
  void anAdsPortInUse_failsTheStart_andLeavesNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Set<Thread> before = Thread.getAllStackTraces().keySet();

      assertThatThrownBy(
              () ->
                  new XdsControlHarness(
                      kafka,
                      topology,
                      dir.resolve("state-ads"),
                      "failed-ads-it",
                      "meshpulse.xds.ads.port=" + taken.getLocalPort()))
          .hasStackTraceContaining(
              "cannot start the ADS server on 127.0.0.1:" + taken.getLocalPort());

      assertNoneLeftSince(before);
    }
  }

  /** Every thread started since {@code before} ends within 10 s. */
  private static void assertNoneLeftSince(Set<Thread> before) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> left = startedSince(before);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      left = startedSince(before);
    }
    assertThat(left).as("threads the failed start left running").isEmpty();
  }

  private static List<String> startedSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        // Shared by the JVM, not opened by xds-control.
        .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool"))
        // gRPC's shared boss event loop, one daemon thread per JVM: gRPC returns it to its pool
        // only when a server that started shuts down, never after a failed bind.
        .filter(t -> !(t.isDaemon() && t.getName().startsWith("grpc-default-boss-ELG")))
        .map(Thread::getName)
        .sorted()
        .collect(Collectors.toList());
  }
}
