package io.meshpulse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequiredToolsConditionTest {
  @TempDir Path dir;

  @Test
  void executableOnPath_isFound() throws Exception {
    Path tool = dir.resolve("fake-tool");
    Files.writeString(tool, "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(RequiredToolsCondition.find("fake-tool", "/nonexistent" + File.pathSeparator + dir))
        .as("lookup of an executable in the second PATH entry")
        .contains(tool);
  }

  @Test
  void nonExecutableFile_doesNotCount() throws Exception {
    Files.writeString(dir.resolve("plain"), "data");

    assertThat(RequiredToolsCondition.missing(new String[] {"plain"}, dir.toString()))
        .as("missing tools")
        .containsExactly("plain");
  }

  @Test
  void nullPath_findsNothing() {
    assertThat(RequiredToolsCondition.find("sh", null)).as("lookup without PATH").isEmpty();
  }
}
