package io.meshpulse.xds.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshpulse.xds.topology.FileTopologySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingSourceTest {
  @TempDir Path dir;

  @Test
  void aBadUpdate_keepsTheLastGoodConfig_andReportsEveryProblemWithItsLine() throws Exception {
    Path topologyFile = Files.writeString(dir.resolve("topology.yml"), RoutingFixtures.TOPOLOGY);
    Path routes = Files.writeString(dir.resolve("routes.yml"), RoutingFixtures.SEED);
    try (FileTopologySource topology = new FileTopologySource(topologyFile, Duration.ofHours(1));
        RoutingSource source = new RoutingSource(List.of(routes), topology, Duration.ofHours(1))) {
      List<RoutingConfig> seen = new CopyOnWriteArrayList<>();
      source.onChange(seen::add);

      Files.writeString(routes, RoutingFixtures.SEED.replace("exact: /", "exact: /home"));
      source.poll();
      assertThat(seen).as("accepted updates").hasSize(1);
      assertThat(source.current().routes().get("my-service/root").matches().get(0).uri().value())
          .as("new path")
          .isEqualTo("/home");

      Files.writeString(routes, RoutingFixtures.SEED.replace("number: 8080", "number: 9999"));
      source.poll();
      assertThat(seen).as("a bad update is not passed on").hasSize(1);
      assertThat(source.current().routes().get("my-service/root").matches().get(0).uri().value())
          .as("last good kept")
          .isEqualTo("/home");
      assertThat(source.rejectedUpdates()).as("rejected").isEqualTo(1);
      assertThat(source.lastProblems())
          .as("problems")
          .singleElement()
          .hasToString(
              routes
                  + ":34: VirtualService/my-service spec.http[0].route[0].destination.port.number:"
                  + " service 'my-service' listens on 8080, not 9999");
    }
  }

  @Test
  void aTopologyChangeThatBreaksTheRoutes_isReported_andTheRoutesStay() throws Exception {
    Path topologyFile = Files.writeString(dir.resolve("topology.yml"), RoutingFixtures.TOPOLOGY);
    Path routes = Files.writeString(dir.resolve("routes.yml"), RoutingFixtures.SEED);
    try (FileTopologySource topology = new FileTopologySource(topologyFile, Duration.ofMillis(50));
        RoutingSource source = new RoutingSource(List.of(routes), topology, Duration.ofHours(1))) {
      Files.writeString(
          topologyFile, RoutingFixtures.TOPOLOGY.replace("name: my-service", "name: shop"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (source.lastError().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(topology.current().service("shop")).as("topology reloaded").isPresent();
      assertThat(source.current().virtualServices()).as("routes kept").hasSize(1);
      assertThat(source.lastError())
          .as("error")
          .hasValueSatisfying(e -> assertThat(e).contains("unknown service 'my-service'"));
    }
  }

  @Test
  void aTopologyChange_isCheckedOnTheSourcesOwnThread_notTheTopologysPoller() throws Exception {
    Path topologyFile = Files.writeString(dir.resolve("topology.yml"), RoutingFixtures.TOPOLOGY);
    Path routes = Files.writeString(dir.resolve("routes.yml"), RoutingFixtures.SEED);
    try (FileTopologySource topology = new FileTopologySource(topologyFile, Duration.ofMillis(50));
        RoutingSource source = new RoutingSource(List.of(routes), topology, Duration.ofHours(1))) {
      // One thread checks: two could each read the files and the topology, and the later to
      // lock check new files against the topology before.
      List<String> threads = new CopyOnWriteArrayList<>();
      source.onChange(c -> threads.add(Thread.currentThread().getName()));
      Files.writeString(
          topologyFile, RoutingFixtures.TOPOLOGY.replace("address: 10.0.1.2", "address: 10.0.1.3"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (threads.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(threads)
          .as("threads that checked the routes again after the topology changed")
          .containsExactly("meshpulse-routing-poller");
    }
  }

  @Test
  void aBadFileAtStart_failsWithEveryProblem() throws Exception {
    Path topologyFile = Files.writeString(dir.resolve("topology.yml"), RoutingFixtures.TOPOLOGY);
    Path routes =
        Files.writeString(
            dir.resolve("routes.yml"),
            RoutingFixtures.SEED.replace("protocol: HTTP", "protocol: TCP"));
    try (FileTopologySource topology = new FileTopologySource(topologyFile, Duration.ofHours(1))) {
      assertThatThrownBy(() -> new RoutingSource(List.of(routes), topology, Duration.ofHours(1)))
          .isInstanceOf(RoutingException.class)
          .hasMessageContaining(
              routes
                  + ":12: Gateway/my-gateway spec.servers[0].port.protocol: 'TCP' is not supported");
    }
  }
}
