package io.meshpulse.xds.it;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshpulse.kafka.EmbeddedKafka;
import io.meshpulse.testing.TcpRelay;
import io.meshpulse.xds.XdsControlRuntime;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two xds-control instances of one deployment: the first to start holds the lease and decides, the
 * second stands by (not ready, no ADS port, writes refused) without taking the lease when it joins,
 * and takes over when the leader shuts down, with the leader's ejection restored from the decision
 * log before it serves anything; and a leader that alone is cut off from Kafka by a network
 * partition stops leading before the standby, which still reaches Kafka, starts.
 */
class LeaderElectionIT {
  private static final String APP_ID = "election-it";
  @TempDir Path dir;

  @Test
  void theStandbyTakesOver_whenTheLeaderStops_withTheLeadersEjection() throws Exception {
    try (EmbeddedKafka kafka = XdsControlHarness.startKafka();
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      Path topology =
          Topologies.write(
              dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
      List<String> lost = new CopyOnWriteArrayList<>();
      XdsControlHarness standby = null;
      long stopping;
      try (XdsControlHarness leader = start(kafka, topology, "xds-a", lost)) {
        leader.awaitReady(Duration.ofSeconds(60));
        assertThat(leader.runtime().role()).isEqualTo("leader");
        assertThat(leader.adsPort()).isPositive();

        standby = start(kafka, topology, "xds-b", lost);
        XdsControlHarness.await(
            () -> members(kafka) == 2, Duration.ofSeconds(30), "both instances in the group");
        // A joining standby must not move the lease: give a rebalance time to happen.
        Thread.sleep(2_000);
        assertThat(leader.runtime().role())
            .as("the leader, after the standby joined")
            .isEqualTo("leader");
        assertThat(standby.runtime().role()).isEqualTo("standby");
        assertThat(standby.adsPort()).as("a standby serves no ADS").isEqualTo(-1);
        HttpResponse<String> readiness = standby.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).as("a standby is not ready").isEqualTo(503);
        assertThat(standby.get("/actuator/health").body()).contains("\"role\":\"standby\"");
        HttpResponse<String> write =
            standby.send(
                "POST",
                "/api/v1/overrides",
                "{\"cluster\":\"reviews\",\"address\":\"127.0.0.1\",\"port\":9101,"
                    + "\"action\":\"drain\"}");
        assertThat(write.statusCode()).as("a standby refuses writes").isEqualTo(503);

        producer.sendOneUnhealthy("reviews", 9101, 9105, 9103);
        XdsControlHarness.await(
            () -> leader.ejected("reviews").equals(List.of(9103)),
            Duration.ofSeconds(10),
            "the leader's ejection");
        assertThat(standby.runtime().loop().view().ready())
            .as("the standby decided nothing meanwhile")
            .isFalse();
        stopping = System.nanoTime();
      }
      long stopped = System.nanoTime();
      try (XdsControlHarness successor = standby) {
        successor.awaitReady(Duration.ofSeconds(30));
        long now = System.nanoTime();
        long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(now - stopped);
        System.out.println(
            "standby ready "
                + TimeUnit.NANOSECONDS.toMillis(now - stopping)
                + " ms after the leader began to shut down, "
                + takeoverMillis
                + " ms after it had closed");

        assertThat(successor.runtime().role()).isEqualTo("leader");
        assertThat(successor.ejected("reviews"))
            .as("the leader's ejection, restored from the decision log")
            .containsExactly(9103);
        assertServesAds(successor);
        assertThat(successor.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(takeoverMillis)
            .as("a leader that shuts down leaves the group: no 6 s lease duration to wait out")
            .isLessThan(4_000);
        assertThat(lost).as("a shutdown is not a lost lease").isEmpty();
      }
    }
  }

  @Test
  void aLeaderThatLosesTheBrokers_stopsDeciding_andReportsItself() throws Exception {
    Path topology =
        Topologies.write(dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103));
    List<String> lost = new CopyOnWriteArrayList<>();
    try (EmbeddedKafka kafka = XdsControlHarness.startKafka();
        XdsControlHarness leader = start(kafka, topology, "xds-cut-off", lost)) {
      leader.awaitReady(Duration.ofSeconds(60));
      int adsPort = leader.adsPort();

      kafka.stop();
      long stopped = System.nanoTime();
      XdsControlHarness.await(() -> !lost.isEmpty(), Duration.ofSeconds(90), "the lost lease");
      System.out.println(
          "lease lost and parts closed "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped)
              + " ms after the broker stopped");

      assertThat(lost).singleElement().asString().contains("xds-cut-off: not renewed");
      assertThat(leader.runtime().role()).isEqualTo("lost");
      assertThat(leader.adsPort()).isEqualTo(-1);
      HttpResponse<String> health = leader.get("/actuator/health");
      assertThat(health.statusCode()).as("reported down until it exits").isEqualTo(503);
      assertThat(health.body()).contains("\"role\":\"lost\"").contains("not renewed");
      assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", adsPort).close())
          .as("the ADS port is closed")
          .isInstanceOf(java.net.ConnectException.class);
      HttpResponse<String> write =
          leader.send(
              "POST",
              "/api/v1/overrides",
              "{\"cluster\":\"reviews\",\"address\":\"127.0.0.1\",\"port\":9101,"
                  + "\"action\":\"drain\"}");
      assertThat(write.statusCode()).as("a write on the lost instance").isEqualTo(503);
      assertThat(write.body()).contains("does not lead (role lost)");
    }
  }

  @Test
  void aLeaderCutOffFromKafka_stopsLeading_beforeTheStandbyLeads() throws Exception {
    Path topology =
        Topologies.write(
            dir, Topologies.service("reviews", 9080, "http", 9101, 9102, 9103, 9104, 9105));
    List<String> lost = new CopyOnWriteArrayList<>();
    TcpRelay relay = TcpRelay.open();
    try (relay;
        EmbeddedKafka kafka =
            XdsControlHarness.startKafka(
                EmbeddedKafka.builder().port(0).relayedListener(relay.port()));
        XdsControlHarness.HealthProducer producer = new XdsControlHarness.HealthProducer(kafka)) {
      relay.forwardTo(kafka.relayedListenerPort());
      XdsControlHarness leader = null;
      XdsControlHarness standby = null;
      try {
        // Every Kafka client of the leader goes through the relay: cutting it partitions the
        // leader's node from Kafka, while the standby still reaches it.
        leader =
            start(
                kafka,
                topology,
                "xds-partitioned",
                lost,
                "meshpulse.xds.kafka.bootstrap-servers=" + kafka.relayedBootstrapServers());
        leader.awaitReady(Duration.ofSeconds(60));
        standby = start(kafka, topology, "xds-standby", lost);
        // Cut only once the standby's join has settled: a rebalance still waiting for the leader to
        // rejoin would add its own timeout to the takeover.
        XdsControlHarness.await(
            () -> stableWith(kafka, 2), Duration.ofSeconds(30), "both instances in a stable group");
        producer.sendOneUnhealthy("reviews", 9101, 9105, 9103);
        XdsControlHarness x = leader;
        XdsControlHarness.await(
            () -> x.ejected("reviews").equals(List.of(9103)),
            Duration.ofSeconds(10),
            "the leader's ejection");
        XdsControlHarness.await(
            () -> x.gauge("meshpulse.decisions.publish.pending") == 0,
            Duration.ofSeconds(10),
            "the ejection in the decision log");

        LeadSampler sampler = new LeadSampler(leader.runtime(), standby.runtime());
        relay.cut();
        long cut = System.nanoTime();
        standby.awaitReady(Duration.ofSeconds(60));
        XdsControlHarness.await(
            () -> x.runtime().role().equals("lost"), Duration.ofSeconds(30), "the lost lease");
        sampler.stop();
        System.out.println(
            "leader cut off from Kafka: last led "
                + TimeUnit.NANOSECONDS.toMillis(sampler.firstLastLed - cut)
                + " ms after the cut, the standby first led "
                + TimeUnit.NANOSECONDS.toMillis(sampler.secondFirstLed - cut)
                + " ms after it; samples "
                + sampler.samples
                + ", both leading in "
                + sampler.both);

        assertThat(sampler.samples.get()).as("sampled throughout").isGreaterThan(100);
        assertThat(sampler.both.get()).as("samples in which both instances led").isZero();
        assertThat(sampler.firstLastLed)
            .as("the cut-off leader stopped before the standby started")
            .isLessThan(sampler.secondFirstLed);
        assertThat(standby.runtime().role()).isEqualTo("leader");
        assertThat(standby.ejected("reviews"))
            .as("the cut-off leader's ejection, restored from the decision log")
            .containsExactly(9103);
        assertServesAds(standby);
        assertThat(leader.runtime().lostReason()).contains("not renewed");
        assertThat(lost)
            .as("the new leader keeps its lease")
            .noneMatch(r -> r.startsWith("xds-standby"));
      } finally {
        // Before the broker, and healed first, so the cut-off instance's Kafka clients close
        // without waiting out their timeouts.
        relay.heal();
        XdsControlHarness.closeAll(standby, leader);
      }
    }
  }

  /**
   * Samples every few milliseconds whether each of two instances leads, from the moment it is made:
   * how often both did, when the first last led and when the second first did.
   */
  private static final class LeadSampler {
    private final Thread thread;
    private volatile boolean running = true;
    final AtomicLong samples = new AtomicLong();
    final AtomicLong both = new AtomicLong();
    volatile long firstLastLed;
    volatile long secondFirstLed = Long.MAX_VALUE;

    LeadSampler(XdsControlRuntime first, XdsControlRuntime second) {
      thread =
          new Thread(
              () -> {
                while (running) {
                  boolean a = first.leads();
                  boolean b = second.leads();
                  long now = System.nanoTime();
                  if (a) {
                    firstLastLed = now;
                  }
                  if (b && secondFirstLed == Long.MAX_VALUE) {
                    secondFirstLed = now;
                  }
                  if (a && b) {
                    both.incrementAndGet();
                  }
                  samples.incrementAndGet();
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "lead-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5_000);
    }
  }

  private XdsControlHarness start(
      EmbeddedKafka kafka, Path topology, String holder, List<String> lost, String... extra) {
    List<String> props = new ArrayList<>();
    props.add("meshpulse.xds.policy.stale-after=60s");
    props.add("meshpulse.xds.policy.silent-after=90s");
    props.add("meshpulse.xds.leader-election.enabled=true");
    props.add("meshpulse.xds.leader-election.lease-duration=6s");
    props.add("meshpulse.xds.leader-election.holder=" + holder);
    props.addAll(List.of(extra));
    return XdsControlHarness.withLossHandler(
        reason -> lost.add(holder + ": " + reason),
        kafka,
        topology,
        dir.resolve("state-" + holder),
        APP_ID,
        props.toArray(String[]::new));
  }

  /** A proxy that connects to {@code leader}'s ADS port is sent its clusters. */
  private static void assertServesAds(XdsControlHarness leader) throws Exception {
    try (AdsTestClient envoy = new AdsTestClient(leader.adsPort(), "envoy-election")) {
      envoy.send(DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER_TYPE_URL).build());
      DiscoveryResponse cds = envoy.expect(Duration.ofSeconds(10));
      assertThat(cds.getResourcesCount()).as("the new leader serves ADS").isPositive();
    }
  }

  private static boolean stableWith(EmbeddedKafka kafka, int members) {
    try (Admin admin = kafka.admin()) {
      var group =
          admin
              .describeConsumerGroups(List.of(APP_ID + "-leader"))
              .all()
              .get(5, TimeUnit.SECONDS)
              .get(APP_ID + "-leader");
      return group.groupState() == org.apache.kafka.common.GroupState.STABLE
          && group.members().size() == members;
    } catch (Exception e) {
      return false;
    }
  }

  private static int members(EmbeddedKafka kafka) {
    try (Admin admin = kafka.admin()) {
      return admin
          .describeConsumerGroups(List.of(APP_ID + "-leader"))
          .all()
          .get(5, TimeUnit.SECONDS)
          .get(APP_ID + "-leader")
          .members()
          .size();
    } catch (Exception e) {
      return 0;
    }
  }
}
