package io.meshpulse.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The manifests `helm template` renders for one values file, parsed into fabric8 models. */
final class RenderedChart {
  static final Path CHART = Path.of("meshpulse").toAbsolutePath();
  static final String RELEASE = "mp";

  final List<HasMetadata> resources;

  private RenderedChart(List<HasMetadata> resources) {
    this.resources = resources;
  }

  static RenderedChart render(Path valuesFile) {
    return render(List.of(valuesFile));
  }

  /**
   * Renders {@code valuesFile} over ci/default-values.yaml (which holds the values the chart
   * requires), as {@code helm template -f default-values.yaml -f valuesFile}.
   */
  static RenderedChart renderOverDefaults(Path valuesFile) {
    return render(List.of(CHART.resolve("ci/default-values.yaml"), valuesFile));
  }

  /** Renders the values files in order, as {@code helm template -f a -f b ...}. */
  static RenderedChart render(List<Path> valuesFiles) {
    return render(RELEASE, valuesFiles);
  }

  /** As {@link #render(List)}, for the release {@code release}. */
  static RenderedChart render(String release, List<Path> valuesFiles) {
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName(release)
            .withNamespace("mesh")
            .withKubeVersion("1.31.0");
    for (Path valuesFile : valuesFiles) {
      template = template.withValuesFile(valuesFile);
    }
    return new RenderedChart(parse(template.call()));
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      String trimmed = doc.strip();
      if (trimmed.isEmpty() || trimmed.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      out.add(Serialization.unmarshal(trimmed, HasMetadata.class));
    }
    return out;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  /** The first container of a Deployment. */
  Container container(String deployment) {
    return one(Deployment.class, deployment)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  /** The plain-valued environment variables of a Deployment's first container. */
  Map<String, String> env(String deployment) {
    return container(deployment).getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  List<GenericKubernetesResource> custom(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(r -> r.getKind().equals(kind))
        .toList();
  }

  Optional<GenericKubernetesResource> firstCustom(String kind) {
    return custom(kind).stream().findFirst();
  }
}
