package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart against the images and the apps: image names, the job jar, job options, routing. */
class ChartWiringTest {
  static final String VERSION = System.getProperty("meshpulse.version", "0.1.0-SNAPSHOT");
  static final Path CI = RenderedChart.CHART.resolve("ci");
  static final String ROUTING_DIR = "/etc/meshpulse/routing";

  @Test
  void images_areTheOnesJibBuildsForThisVersion() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    assertThat(chart.container("mp-meshpulse-collector").getImage())
        .as("collector image")
        .isEqualTo("ghcr.io/meshpulse/collector:" + VERSION);
    assertThat(chart.container("mp-meshpulse-xds-control").getImage())
        .as("xds-control image")
        .isEqualTo("ghcr.io/meshpulse/xds-control:" + VERSION);
    GenericKubernetesResource flink = chart.firstCustom("FlinkDeployment").orElseThrow();
    assertThat((String) flink.get("spec", "image"))
        .as("FlinkDeployment image")
        .isEqualTo("ghcr.io/meshpulse/stream-processor:" + VERSION);
  }

  @Test
  void meshpulsesOwnPods_optOutOfIstiosSidecar_unlessTold(@TempDir Path dir) throws IOException {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    for (String name : List.of("mp-meshpulse-collector", "mp-meshpulse-xds-control")) {
      assertThat(
              chart.one(Deployment.class, name).getSpec().getTemplate().getMetadata().getLabels())
          .as("%s's pod labels", name)
          .containsEntry("sidecar.istio.io/inject", "false");
      assertThat(chart.one(Deployment.class, name).getMetadata().getLabels())
          .as("%s's own labels", name)
          .doesNotContainKey("sidecar.istio.io/inject");
    }
    Map<String, String> flinkPods =
        chart
            .firstCustom("FlinkDeployment")
            .orElseThrow()
            .get("spec", "podTemplate", "metadata", "labels");
    assertThat(flinkPods).containsEntry("sidecar.istio.io/inject", "false");

    Path injected = dir.resolve("injected.yaml");
    Files.writeString(injected, "istioSidecar: true\n");
    RenderedChart withSidecars =
        RenderedChart.render(List.of(CI.resolve("default-values.yaml"), injected));
    assertThat(
            withSidecars
                .one(Deployment.class, "mp-meshpulse-collector")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels())
        .as("the namespace decides")
        .doesNotContainKey("sidecar.istio.io/inject");
  }

  @Test
  void flinkPods_mountTheOperatorsVolumes_besideTheKafkaClientSecret(@TempDir Path dir)
      throws IOException {
    Path values = dir.resolve("flink-volumes.yaml");
    Files.writeString(
        values,
        """
        kafka:
          clientSecret: kafka-client
        streamProcessor:
          checkpointDir: file:///flink-data/checkpoints
          haStorageDir: file:///flink-data/ha
          volumes:
            - name: flink-data
              persistentVolumeClaim: {claimName: meshpulse-flink-data}
          volumeMounts:
            - {name: flink-data, mountPath: /flink-data}
          priorityClassName: platform-critical
        """);
    GenericKubernetesResource flink =
        RenderedChart.render(List.of(CI.resolve("default-values.yaml"), values))
            .firstCustom("FlinkDeployment")
            .orElseThrow();
    PodSpec pod =
        Serialization.unmarshal(
            Serialization.asYaml(flink.<Object>get("spec", "podTemplate", "spec")), PodSpec.class);
    assertThat(pod.getVolumes())
        .extracting(v -> v.getName())
        .containsExactly("kafka-client", "flink-data");
    assertThat(pod.getVolumes().get(1).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("meshpulse-flink-data");
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .containsExactly(
            tuple("kafka-client", "/etc/meshpulse/kafka-client"),
            tuple("flink-data", "/flink-data"));
    assertThat(pod.getPriorityClassName()).isEqualTo("platform-critical");
  }

  @Test
  void flinkDeployment_runsTheJobJarTheImageHolds_asTheImagesUser() {
    GenericKubernetesResource flink =
        RenderedChart.render(CI.resolve("default-values.yaml"))
            .firstCustom("FlinkDeployment")
            .orElseThrow();
    assertThat((String) flink.get("spec", "job", "jarURI"))
        .as("jarURI")
        .isEqualTo("local://" + AppDefaults.JOB_JAR_IN_IMAGE);
    assertThat((String) flink.get("spec", "job", "entryClass"))
        .as("entryClass")
        .isEqualTo("io.meshpulse.streamprocessor.job.HealthJob");
    Map<String, Object> securityContext =
        flink.get("spec", "podTemplate", "spec", "securityContext");
    assertThat(securityContext)
        .as("Flink pods' security context")
        .containsEntry("runAsUser", AppDefaults.FLINK_UID)
        .containsEntry("runAsGroup", AppDefaults.FLINK_UID)
        .containsEntry("runAsNonRoot", true);
    List<Map<String, Object>> containers = flink.get("spec", "podTemplate", "spec", "containers");
    assertThat(containers.get(0))
        .as("Flink's main container, as the restricted Pod Security level asks")
        .containsEntry(
            "securityContext",
            Map.of(
                "allowPrivilegeEscalation", false, "capabilities", Map.of("drop", List.of("ALL"))));
  }

  @Test
  void flinkDeployment_passesTheJobOnlyOptionsItDefines() {
    Set<String> jobOptions = healthJobOptionKeys();
    GenericKubernetesResource flink =
        RenderedChart.render(CI.resolve("stream-processor-values.yaml"))
            .firstCustom("FlinkDeployment")
            .orElseThrow();
    List<String> args = flink.get("spec", "job", "args");
    Map<String, String> settings = new java.util.LinkedHashMap<>();
    for (String arg : args) {
      assertThat(arg).as("job argument").startsWith("--").contains("=");
      settings.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    assertThat(jobOptions)
        .as("HealthJobOptions keys")
        .contains(settings.keySet().toArray(String[]::new));
    assertThat(settings)
        .as("job settings")
        .containsEntry("meshpulse.health.kafka.bootstrap-servers", "kafka:9092")
        .containsEntry("meshpulse.health.topics.access-records", "mesh.access-records.v1")
        .containsEntry("meshpulse.health.checkpoint.directory", "s3://meshpulse-ci/checkpoints")
        .containsEntry("meshpulse.health.window.size", "20s")
        .containsEntry("meshpulse.health.state.backend", "rocksdb")
        .containsEntry("meshpulse.health.score.min-requests", "1000000")
        .as("Kafka ids named after the release")
        .containsEntry("meshpulse.health.kafka.group-id", "mp-meshpulse-stream-processor")
        .containsEntry(
            "meshpulse.health.kafka.transactional-id-prefix", "mp-meshpulse-stream-processor");
  }

  @Test
  void routing_isOffByDefault() {
    RenderedChart chart = RenderedChart.render(CI.resolve("default-values.yaml"));
    assertThat(chart.all(ConfigMap.class))
        .as("ConfigMaps by default")
        .extracting(c -> c.getMetadata().getName())
        .doesNotContain("mp-meshpulse-xds-control-routing");
    assertThat(chart.container("mp-meshpulse-xds-control").getEnv())
        .as("xds-control env by default")
        .extracting(EnvVar::getName)
        .noneMatch(n -> n.startsWith("MESHPULSE_XDS_ROUTINGFILES"));
  }

  @Test
  @SuppressWarnings("unchecked") // the values file parsed as plain YAML maps
  void routing_mountsEveryFile_andListsItInTheRoutingFilesProperty() throws IOException {
    assertThat(
            AppDefaults.source(
                "xds-control/src/main/java/io/meshpulse/xds/XdsControlProperties.java"))
        .as("xds-control binds meshpulse.xds.routing-files")
        .contains("@ConfigurationProperties(\"meshpulse.xds\")")
        .contains("List<Path> routingFiles");
    Path values = CI.resolve("routing-values.yaml");
    Map<String, Object> xds =
        (Map<String, Object>)
            Serialization.unmarshal(Files.readString(values), Map.class).get("xdsControl");
    Map<String, String> files =
        (Map<String, String>) ((Map<String, Object>) xds.get("routing")).get("files");
    RenderedChart chart = RenderedChart.render(values);

    ConfigMap routing = chart.one(ConfigMap.class, "mp-meshpulse-xds-control-routing");
    assertThat(routing.getData().keySet()).as("routing ConfigMap files").isEqualTo(files.keySet());
    files.forEach(
        (name, content) ->
            assertThat(routing.getData().get(name).strip())
                .as("content of %s", name)
                .isEqualTo(content.strip()));

    Deployment deployment = chart.one(Deployment.class, "mp-meshpulse-xds-control");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    VolumeMount mount =
        chart.container("mp-meshpulse-xds-control").getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(ROUTING_DIR))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getSubPath()).as("routing mount is a directory (kubelet updates it)").isNull();
    assertThat(pod.getVolumes())
        .as("volume %s", mount.getName())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo(mount.getName());
              assertThat(v.getConfigMap().getName()).isEqualTo(routing.getMetadata().getName());
            });

    Map<String, String> env =
        chart.container("mp-meshpulse-xds-control").getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    List<String> sorted = files.keySet().stream().sorted().toList();
    for (int i = 0; i < sorted.size(); i++) {
      assertThat(env)
          .as("meshpulse.xds.routing-files[%d]", i)
          .containsEntry(
              canonicalEnvName("meshpulse.xds.routing-files[" + i + "]"),
              ROUTING_DIR + "/" + sorted.get(i));
    }
    assertThat(env.keySet().stream().filter(n -> n.startsWith("MESHPULSE_XDS_ROUTINGFILES")))
        .as("routing-files entries")
        .hasSize(files.size());
  }

  @Test
  void routingEnabled_withoutFiles_failsTheInstall(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad-values.yaml");
    Files.writeString(bad, "xdsControl:\n  routing:\n    enabled: true\n");
    assertThatThrownBy(() -> RenderedChart.renderOverDefaults(bad))
        .as("routing enabled with no files")
        .hasMessageContaining("xdsControl.routing.files");
  }

  @Test
  void schema_rejectsARoutingFileThatIsNotYaml(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad-values.yaml");
    Files.writeString(
        bad, "xdsControl:\n  routing:\n    enabled: true\n    files:\n      routes.json: \"{}\"\n");
    assertThatThrownBy(() -> RenderedChart.render(bad))
        .as("a routing file named routes.json")
        .hasMessageContaining("routes.json");
  }

  /** Spring's environment-variable form: dots and brackets to underscores, dashes dropped. */
  static String canonicalEnvName(String property) {
    return property
        .replace('.', '_')
        .replace("[", "_")
        .replace("]", "")
        .replace("-", "")
        .toUpperCase(Locale.ROOT);
  }

  /** Every {@code meshpulse.health.*} key HealthJobOptions declares. */
  static Set<String> healthJobOptionKeys() {
    String source =
        AppDefaults.source(
            "stream-processor/src/main/java/io/meshpulse/streamprocessor/job/HealthJobOptions.java");
    Matcher prefix = Pattern.compile("PREFIX = \"([^\"]+)\"").matcher(source);
    assertThat(prefix.find()).as("HealthJobOptions.PREFIX").isTrue();
    Matcher keys = Pattern.compile("key\\(PREFIX \\+ \"([^\"]+)\"\\)").matcher(source);
    Set<String> out = new java.util.TreeSet<>();
    while (keys.find()) {
      out.add(prefix.group(1) + keys.group(1));
    }
    assertThat(out).as("HealthJobOptions keys").hasSizeGreaterThan(10);
    return out;
  }
}
