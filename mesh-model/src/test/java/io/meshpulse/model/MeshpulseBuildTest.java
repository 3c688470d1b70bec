package io.meshpulse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class MeshpulseBuildTest {
  @Test
  void current_carriesWhatTheBuildFilledIn() {
    MeshpulseBuild build = MeshpulseBuild.current();
    // mesh-model/pom.xml hands the test the values the resource filter had.
    String version = System.getProperty("meshpulse.expected.version");
    String revision = System.getProperty("meshpulse.expected.revision");
    assumeTrue(version != null && revision != null, "run by Maven, which passes the values");

    assertThat(build.version()).isEqualTo(version);
    if (revision.startsWith("${")) {
      assertThat(build.revision()).isEqualTo(MeshpulseBuild.UNKNOWN);
    } else {
      assertThat(build.revision()).startsWith(revision).hasSizeGreaterThanOrEqualTo(12);
    }
    assertThat(build.toString()).isEqualTo(build.version() + " (" + build.revision() + ")");
  }

  @Test
  void of_appendsDirtyToTheRevisionOfAnUncommittedTree() {
    Properties properties = properties("1.2.0", "0123456789ab", "true");

    assertThat(MeshpulseBuild.of(properties))
        .isEqualTo(new MeshpulseBuild("1.2.0", "0123456789ab-dirty"));
  }

  @Test
  void of_readsAPlaceholderTheFilterLeftAsUnknown() {
    Properties properties = properties("1.2.0", "@git.commit.id.abbrev@", "@git.dirty@");

    assertThat(MeshpulseBuild.of(properties)).isEqualTo(new MeshpulseBuild("1.2.0", "unknown"));
    assertThat(MeshpulseBuild.of(new Properties()))
        .isEqualTo(new MeshpulseBuild("unknown", "unknown"));
  }

  private static Properties properties(String version, String revision, String dirty) {
    Properties properties = new Properties();
    properties.setProperty("version", version);
    properties.setProperty("revision", revision);
    properties.setProperty("dirty", dirty);
    return properties;
  }
}
