package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What {@code helm install} prints after installing: NOTES.txt, rendered by a client-only dry run.
 */
class NotesTest {
  static final Path CI = RenderedChart.CHART.resolve("ci");

  @Test
  void anEmptyTopology_isPointedOut_andAFilledOneIsNot() {
    assertThat(notes(CI.resolve("default-values.yaml")))
        .contains("xdsControl.topology lists no service, so xds-control makes no routing decision");
    assertThat(notes(CI.resolve("routing-values.yaml")))
        .contains("Point Envoy's ADS")
        .doesNotContain("lists no service");
  }

  private static String notes(Path values) {
    return new Helm(RenderedChart.CHART)
        .install()
        .withName(RenderedChart.RELEASE)
        .withNamespace("mesh")
        .withKubeVersion("1.31.0")
        .withValuesFile(values)
        .clientOnly()
        .dryRun()
        .call()
        .getOutput();
  }
}
