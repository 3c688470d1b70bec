package io.meshpulse.collector.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceNamesTest {
  @Test
  void kubernetesServiceNames_splitIntoNameAndNamespace() {
    assertThat(ServiceNames.shortName("reviews.default.svc.cluster.local"))
        .as("name")
        .isEqualTo("reviews");
    assertThat(ServiceNames.namespace("reviews.default.svc.cluster.local"))
        .as("namespace")
        .isEqualTo("default");
    assertThat(ServiceNames.namespace("reviews.shop.svc"))
        .as("namespace, no domain")
        .isEqualTo("shop");
  }

  @Test
  void otherNames_areKeptWholeWithoutNamespace() {
    for (String name :
        new String[] {
          "reviews", "reviews.default", "reviews.default.svcx.local", "a.b.", "", "x.y.sv"
        }) {
      assertThat(ServiceNames.shortName(name)).as("short name of %s", name).isEqualTo(name);
      assertThat(ServiceNames.namespace(name)).as("namespace of %s", name).isEmpty();
    }
  }
}
