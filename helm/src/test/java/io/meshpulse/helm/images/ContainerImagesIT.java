package io.meshpulse.helm.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshpulse.helm.AppDefaults;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images as the modules' Jib configuration builds them: {@code jib:buildTar} on stand-in base
 * images (see {@link BaseImages}), then the written image read back. What it cannot show: that the
 * real base images pull and that the images start; see docs/kubernetes.md.
 */
class ContainerImagesIT {
  static final String VERSION = System.getProperty("meshpulse.version", "0.1.0-SNAPSHOT");
  static final String JOB_JAR = AppDefaults.JOB_JAR_IN_IMAGE;

  @TempDir static Path work;

  static ImageTar jreBase;
  static ImageTar flinkBase;
  static ImageTar collector;
  static ImageTar xdsControl;
  static ImageTar job;

  @BeforeAll
  static void buildImages() throws Exception {
    Path jre = work.resolve("jre-base.tar");
    BaseImages.writeJre(jre);
    Path flink = work.resolve("flink-base.tar");
    BaseImages.writeFlink(flink);
    jreBase = ImageTar.read(jre);
    flinkBase = ImageTar.read(flink);

    JibBuild.buildTar(List.of("collector", "xds-control"), jre, work);
    JibBuild.buildTar(List.of("stream-processor"), flink, work);
    collector = ImageTar.read(JibBuild.imageTar("collector"));
    xdsControl = ImageTar.read(JibBuild.imageTar("xds-control"));
    job = ImageTar.read(JibBuild.imageTar("stream-processor"));
  }

  @Test
  void images_carryTheNamesTheChartPullsThemBy() {
    assertThat(collector.repoTags)
        .as("collector image name")
        .containsExactly("ghcr.io/meshpulse/collector:" + VERSION);
    assertThat(xdsControl.repoTags)
        .as("xds-control image name")
        .containsExactly("ghcr.io/meshpulse/xds-control:" + VERSION);
    assertThat(job.repoTags)
        .as("stream-processor image name")
        .containsExactly("ghcr.io/meshpulse/stream-processor:" + VERSION);
  }

  @Test
  void collectorImage_runsTheCollectorMainClassAsANonRootUser_onTopOfTheBaseImage() {
    assertJavaAppImage(collector, "io.meshpulse.collector.CollectorApplication");
    assertThat(collector.exposedPorts())
        .as("collector exposed ports")
        .containsExactlyInAnyOrder(
            AppDefaults.COLLECTOR_GRPC + "/tcp", AppDefaults.COLLECTOR_HTTP + "/tcp");
    assertThat(collector.filesAbove(1))
        .as("collector app layers")
        .containsKeys(
            "/app/classes/io/meshpulse/collector/CollectorApplication.class",
            "/app/resources/collector.yml");
  }

  @Test
  void xdsControlImage_runsTheXdsControlMainClassAsANonRootUser_onTopOfTheBaseImage() {
    assertJavaAppImage(xdsControl, "io.meshpulse.xds.XdsControlApplication");
    assertThat(xdsControl.exposedPorts())
        .as("xds-control exposed ports")
        .containsExactlyInAnyOrder(AppDefaults.XDS_ADS + "/tcp", AppDefaults.XDS_HTTP + "/tcp");
    assertThat(xdsControl.filesAbove(1))
        .as("xds-control app layers")
        .containsKeys(
            "/app/classes/io/meshpulse/xds/XdsControlApplication.class",
            "/app/resources/xds-control.yml");
  }

  @Test
  void jobImage_keepsTheFlinkEntrypointAndCmd_andRunsAsTheFlinkUser() {
    assertThat(job.diffIds().get(0)).as("base layer").isEqualTo(flinkBase.diffIds().get(0));
    assertThat(job.strings("Entrypoint"))
        .as("inherited entrypoint")
        .isEqualTo(BaseImages.FLINK_ENTRYPOINT);
    assertThat(job.strings("Cmd")).as("inherited CMD").isEqualTo(BaseImages.FLINK_CMD);
    assertThat(job.strings("Env"))
        .as("inherited environment, without the apps' JVM defaults")
        .contains("FLINK_HOME=/opt/flink")
        .noneMatch(e -> e.startsWith("JAVA_TOOL_OPTIONS="));
    assertThat(job.config.path("config").path("WorkingDir").asText())
        .as("inherited working directory")
        .isEqualTo("/opt/flink");
    assertThat(job.user())
        .as("user (the Flink image's flink user)")
        .isEqualTo(AppDefaults.FLINK_UID + ":" + AppDefaults.FLINK_UID);
    assertThat(job.exposedPorts())
        .as("exposed ports: Flink's and the Prometheus reporter's")
        .containsExactlyInAnyOrderElementsOf(
            concat(BaseImages.FLINK_PORTS, AppDefaults.FLINK_PROMETHEUS + "/tcp"));
  }

  @Test
  void jobImage_addsExactlyTheShadedJobJar_underUsrlib() throws IOException {
    Map<String, Tar.Entry> added = job.filesAbove(1);
    assertThat(added.keySet()).as("files the job image adds").containsExactly(JOB_JAR);
    byte[] jar = added.get(JOB_JAR).content();
    byte[] built =
        Files.readAllBytes(
            JibBuild.moduleFile(
                "stream-processor", "target/stream-processor-" + VERSION + "-job.jar"));
    assertThat(ImageTar.sha256(jar))
        .as("the image's job jar is the shaded jar the build made")
        .isEqualTo(ImageTar.sha256(built));
    assertThat(added.get(JOB_JAR).mode() & 0444).as("job jar readable by uid 9999").isEqualTo(0444);
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
      assertThat(in.getManifest().getMainAttributes().getValue("Main-Class"))
          .as("job jar Main-Class")
          .isEqualTo("io.meshpulse.streamprocessor.job.HealthJob");
      boolean hasKafkaSource = false;
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        hasKafkaSource |=
            e.getName().equals("org/apache/flink/connector/kafka/source/KafkaSource.class");
      }
      assertThat(hasKafkaSource).as("Kafka connector shaded into the job jar").isTrue();
    }
  }

  private static void assertJavaAppImage(ImageTar image, String mainClass) {
    String name = image.repoTags.get(0);
    assertThat(image.diffIds().get(0))
        .as("%s: first layer is the base image's", name)
        .isEqualTo(jreBase.diffIds().get(0));
    assertThat(image.strings("Env"))
        .as(
            "%s: base environment kept, JVM defaults in the variable the chart's javaOpts sets",
            name)
        .contains(
            "JAVA_HOME=/opt/java/openjdk",
            "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=70 -Djava.io.tmpdir=/tmp");
    List<String> entrypoint = image.strings("Entrypoint");
    assertThat(entrypoint).as("%s: entrypoint", name).startsWith("java").endsWith(mainClass);
    assertThat(entrypoint)
        .as("%s: entrypoint (no JVM flag that would win over JAVA_TOOL_OPTIONS)", name)
        .containsSubsequence("-cp", "@/app/jib-classpath-file")
        .noneMatch(arg -> arg.startsWith("-XX:") || arg.startsWith("-D"));
    assertThat(image.strings("Cmd"))
        .as("%s: the base image's CMD (jshell) dropped", name)
        .isEmpty();
    assertThat(image.user())
        .as("%s: user", name)
        .isEqualTo(AppDefaults.APP_UID + ":" + AppDefaults.APP_UID);

    Map<String, Tar.Entry> files = image.filesAbove(1);
    String classpath =
        new String(files.get("/app/jib-classpath-file").content(), StandardCharsets.UTF_8).strip();
    assertThat(classpath.split(":"))
        .as("%s: classpath", name)
        .contains("/app/classes", "/app/resources", "/app/libs/mesh-model-" + VERSION + ".jar");
    for (String entry : classpath.split(":")) {
      if (entry.endsWith(".jar")) {
        assertThat(files).as("%s: classpath entry %s in the image", name, entry).containsKey(entry);
      }
    }
    for (Tar.Entry file : files.values()) {
      assertThat(file.mode() & 0444)
          .as("%s: %s readable by a non-root user", name, file.path())
          .isEqualTo(0444);
    }
  }

  private static List<String> concat(List<String> list, String more) {
    return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(more)).toList();
  }
}
