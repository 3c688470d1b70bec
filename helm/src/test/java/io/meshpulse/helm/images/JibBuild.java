package io.meshpulse.helm.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the modules' own Jib configuration, {@code ./mvnw -o jib:buildTar}, in a child Maven, with
 * the base image replaced by a local tar. It reads what the enclosing build already made (the
 * modules' classes and jars; the reactor builds them before this module), so it needs no network,
 * no Docker daemon and no installed meshpulse artifacts: mesh-model's freshly built jar goes into a
 * private local repository, in front of the user's one (Maven's {@code maven.repo.local.tail}).
 */
final class JibBuild {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("meshpulse.version", "0.1.0-SNAPSHOT");

  private JibBuild() {}

  /** The tar that {@code jib:buildTar} writes for a module. */
  static Path imageTar(String module) {
    return ROOT.resolve(module).resolve("target/jib-image.tar");
  }

  static Path moduleFile(String module, String relative) {
    Path file = ROOT.resolve(module).resolve(relative);
    if (!Files.exists(file)) {
      throw new IllegalStateException(
          file
              + " is missing: build the modules first (./mvnw verify runs them before this one,"
              + " or ./mvnw -pl mesh-model,collector,xds-control,stream-processor package"
              + " -DskipTests)");
    }
    return file;
  }

  /** Builds the modules' images on {@code baseImage}; returns Maven's output. */
  static String buildTar(List<String> modules, Path baseImage, Path work)
      throws IOException, InterruptedException {
    for (String module : modules) {
      moduleFile(module, "target/classes");
      Files.deleteIfExists(imageTar(module));
    }
    Path repo = privateRepository(work.resolve("repository"));
    Path log = work.resolve("maven-" + String.join("-", modules) + ".log");
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("mvnw").toString());
    command.addAll(
        List.of(
            "-B",
            "-o",
            "-f",
            ROOT.resolve("pom.xml").toString(),
            "-pl",
            String.join(",", modules),
            "-Dmaven.repo.local=" + repo,
            "-Dmaven.repo.local.tail=" + userRepository(),
            "-Djib.from.image=tar://" + baseImage.toAbsolutePath(),
            "-Djib.baseImageCache=" + work.resolve("jib-base-cache"),
            "-Djib.applicationCache=" + work.resolve("jib-app-cache"),
            "-Djib.disableUpdateChecks=true",
            "-Djib.console=plain",
            "jib:buildTar"));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("MAVEN_OPTS", "-Xmx512m -XX:+UseSerialGC");
    Process process = pb.start();
    boolean done = process.waitFor(4, TimeUnit.MINUTES);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (!done) {
      process.destroyForcibly();
      throw new AssertionError("jib:buildTar did not finish in 4 minutes:\n" + tail(output));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(
          "jib:buildTar exited with " + process.exitValue() + ":\n" + tail(output));
    }
    return output;
  }

  /** A local repository holding only what this build made: mesh-model and the parent POM. */
  private static Path privateRepository(Path repo) throws IOException {
    Path model = repo.resolve("io/meshpulse/mesh-model/" + VERSION);
    Files.createDirectories(model);
    Files.copy(
        moduleFile("mesh-model", "target/mesh-model-" + VERSION + ".jar"),
        model.resolve("mesh-model-" + VERSION + ".jar"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        moduleFile("mesh-model", "pom.xml"),
        model.resolve("mesh-model-" + VERSION + ".pom"),
        StandardCopyOption.REPLACE_EXISTING);
    Path parent = repo.resolve("io/meshpulse/meshpulse-parent/" + VERSION);
    Files.createDirectories(parent);
    Files.copy(
        ROOT.resolve("pom.xml"),
        parent.resolve("meshpulse-parent-" + VERSION + ".pom"),
        StandardCopyOption.REPLACE_EXISTING);
    return repo;
  }

  private static String userRepository() {
    String configured = System.getProperty("meshpulse.localRepository", "");
    return configured.isBlank()
        ? Path.of(System.getProperty("user.home"), ".m2", "repository").toString()
        : configured;
  }

  private static String tail(String output) {
    return output.length() > 6000 ? output.substring(output.length() - 6000) : output;
  }
}
