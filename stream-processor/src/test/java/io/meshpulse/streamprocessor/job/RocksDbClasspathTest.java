package io.meshpulse.streamprocessor.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbClasspathTest {
  private static final String OPTION = "meshpulse.health.state.backend";

  @TempDir Path dir;

  @Test
  void flinksOwnRocksDb_passes() {
    assertThatCode(
            () ->
                RocksDbClasspath.requireFlinkRocksDb(
                    RocksDbClasspathTest.class.getClassLoader(), OPTION))
        .doesNotThrowAnyException();
  }

  @Test
  void anotherRocksDbAheadOfFlinks_failsAtStart_namingTheOptionAndTheJar() throws Exception {
    URL frocksDb = location(RocksDbClasspath.FROCKSDB_CLASS);
    URL other = jarWithRocksDbClassOnly();
    try (URLClassLoader shadowed = new URLClassLoader(new URL[] {other, frocksDb}, null)) {
      assertThatThrownBy(() -> RocksDbClasspath.requireFlinkRocksDb(shadowed, OPTION))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(OPTION + "=ROCKSDB needs Flink's FRocksDB")
          .hasMessageContaining("comes from " + other)
          .hasMessageContaining("FRocksDB from " + frocksDb);
    }
    try (URLClassLoader none = new URLClassLoader(new URL[0], null)) {
      assertThatThrownBy(() -> RocksDbClasspath.requireFlinkRocksDb(none, OPTION))
          .hasMessageContaining("needs Flink's RocksDB state backend on the class path");
    }
  }

  private static URL location(String className) throws ClassNotFoundException {
    return Class.forName(className, false, RocksDbClasspathTest.class.getClassLoader())
        .getProtectionDomain()
        .getCodeSource()
        .getLocation();
  }

  /** A jar holding {@code org.rocksdb.RocksDB} and nothing of FRocksDB's own, as rocksdbjni. */
  private URL jarWithRocksDbClassOnly() throws Exception {
    Path jar = dir.resolve("other-rocksdb.jar");
    String entry = RocksDbClasspath.ROCKSDB_CLASS.replace('.', '/') + ".class";
    try (InputStream in = RocksDbClasspathTest.class.getClassLoader().getResourceAsStream(entry);
        OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out)) {
      jarOut.putNextEntry(new JarEntry(entry));
      in.transferTo(jarOut);
      jarOut.closeEntry();
    }
    return jar.toUri().toURL();
  }
}
