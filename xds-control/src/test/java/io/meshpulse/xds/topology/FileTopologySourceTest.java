package io.meshpulse.xds.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTopologySourceTest {
  @TempDir Path dir;

  @Test
  void aChangedFile_isReloaded_andABadOneKeepsTheLastGoodTopology() throws Exception {
    Path file = dir.resolve("topology.yml");
    Files.writeString(file, TopologyParserTest.VALID);
    try (FileTopologySource source = new FileTopologySource(file, Duration.ofSeconds(60))) {
      List<Topology> seen = new CopyOnWriteArrayList<>();
      source.onChange(seen::add);

      Files.writeString(file, TopologyParserTest.VALID.replace("name: v2", "name: v3"));
      source.poll();
      assertThat(source.current().services().get(0).subsets().get(1).name())
          .as("reloaded subset")
          .isEqualTo("v3");
      assertThat(seen).as("listener calls").hasSize(1);

      Files.writeString(file, TopologyParserTest.VALID.replace("port: 9101", "port: 0"));
      source.poll();
      assertThat(source.current().services().get(0).subsets().get(1).name())
          .as("last good kept")
          .isEqualTo("v3");
      assertThat(source.lastError())
          .as("error")
          .hasValueSatisfying(e -> assertThat(e).contains("bad port '0'"));
      assertThat(source.rejectedUpdates()).as("rejected").isEqualTo(1);
      assertThat(seen).as("no listener call for a bad file").hasSize(1);

      Files.writeString(file, TopologyParserTest.VALID);
      source.poll();
      assertThat(source.lastError()).as("error cleared").isEmpty();
    }
  }

  @Test
  void aMissingFile_failsAtStart() {
    assertThatThrownBy(() -> new FileTopologySource(dir.resolve("nope.yml"), Duration.ofSeconds(1)))
        .as("missing file")
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("cannot read");
  }
}
