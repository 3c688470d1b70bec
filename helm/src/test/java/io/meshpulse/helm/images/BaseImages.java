package io.meshpulse.helm.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stand-ins for the real base images, which cannot be pulled here: one small layer and the config
 * fields the real images set (entrypoint, CMD, environment, exposed ports, working directory), so a
 * build on them shows what Jib keeps from a base image and what it replaces.
 */
final class BaseImages {
  /** Shaped like eclipse-temurin:17-jre: a cacerts entrypoint script and `jshell` as CMD. */
  static final List<String> JRE_ENTRYPOINT = List.of("/__cacert_entrypoint.sh");

  static final List<String> JRE_CMD = List.of("jshell");

  /** Shaped like flink:2.2.1-java17: its entrypoint script, CMD `help`, ports 6123 and 8081. */
  static final List<String> FLINK_ENTRYPOINT = List.of("/docker-entrypoint.sh");

  static final List<String> FLINK_CMD = List.of("help");
  static final List<String> FLINK_PORTS = List.of("6123/tcp", "8081/tcp");

  private BaseImages() {}

  static void writeJre(Path target) throws IOException {
    byte[] layer =
        Tar.write(
            List.of(
                Tar.Entry.directory("opt/java/openjdk/bin"),
                Tar.Entry.file("opt/java/openjdk/bin/java", 0755, script("java stand-in")),
                Tar.Entry.file("opt/java/openjdk/release", 0644, text("JAVA_VERSION=\"17\"\n")),
                Tar.Entry.file("__cacert_entrypoint.sh", 0755, script("exec \"$@\""))));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(
        "Env", List.of("PATH=/opt/java/openjdk/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java/openjdk"));
    config.put("Entrypoint", JRE_ENTRYPOINT);
    config.put("Cmd", JRE_CMD);
    ImageTar.write(target, "test/jre-base:17", image(config), List.of(layer));
  }

  static void writeFlink(Path target) throws IOException {
    byte[] layer =
        Tar.write(
            List.of(
                Tar.Entry.file("docker-entrypoint.sh", 0755, script("exec \"$@\"")),
                Tar.Entry.directory("opt/flink/lib"),
                Tar.Entry.file("opt/flink/lib/flink-dist-2.2.1.jar", 0644, text("stand-in")),
                Tar.Entry.directory("opt/flink/usrlib")));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("Env", List.of("PATH=/opt/flink/bin:/usr/bin:/bin", "FLINK_HOME=/opt/flink"));
    config.put("Entrypoint", FLINK_ENTRYPOINT);
    config.put("Cmd", FLINK_CMD);
    Map<String, Object> ports = new LinkedHashMap<>();
    FLINK_PORTS.forEach(p -> ports.put(p, Map.of()));
    config.put("ExposedPorts", ports);
    config.put("WorkingDir", "/opt/flink");
    ImageTar.write(target, "test/flink-base:2.2.1-java17", image(config), List.of(layer));
  }

  private static Map<String, Object> image(Map<String, Object> config) {
    Map<String, Object> image = new LinkedHashMap<>();
    image.put("architecture", "amd64");
    image.put("os", "linux");
    image.put("config", config);
    return image;
  }

  private static byte[] script(String body) {
    return text("#!/bin/sh\n" + body + "\n");
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
