package io.meshpulse.helm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnknownFieldsTest {
  @Test
  void misspeltKeyDeepInADeployment_isFound() {
    String yaml =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers:
                - name: c
                  image: i
                  readinessProbe:
                    httpGet: {path: /, port: 80}
                    periodSecond: 5
        """;
    assertThat(UnknownFields.of(RenderedChart.parse(yaml).get(0)))
        .as("unknown fields of a deployment with periodSecond")
        .singleElement()
        .asString()
        .contains("periodSecond");
  }

  @Test
  void wellFormedService_hasNone() {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          ports: [{name: http, port: 80, targetPort: http}]
        """;
    assertThat(UnknownFields.of(RenderedChart.parse(yaml).get(0)))
        .as("unknown fields of a valid service")
        .isEmpty();
  }
}
