package io.meshpulse.collector.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IstioClusterNameTest {
  @Test
  void outboundName_yieldsServiceSubsetAndPort() {
    IstioClusterName name =
        IstioClusterName.parse("outbound|9080|v1|reviews.default.svc.cluster.local").orElseThrow();

    assertThat(name.direction()).as("direction").isEqualTo(IstioClusterName.Direction.OUTBOUND);
    assertThat(name.port()).as("port").isEqualTo(9080);
    assertThat(name.subset()).as("subset").isEqualTo("v1");
    assertThat(name.service()).as("service").isEqualTo("reviews.default.svc.cluster.local");
    assertThat(name.serviceName()).as("short name").isEqualTo("reviews");
    assertThat(name.serviceNamespace()).as("namespace").isEqualTo("default");
  }

  @Test
  void inboundName_neverCarriesASubset() {
    IstioClusterName name =
        IstioClusterName.parse("inbound|9080|http|reviews.default.svc.cluster.local").orElseThrow();

    assertThat(name.direction()).as("direction").isEqualTo(IstioClusterName.Direction.INBOUND);
    assertThat(name.subset()).as("port name is not a subset").isEmpty();
  }

  @Test
  void waypointName_carriesTheSubsetAfterTheProtocol() {
    IstioClusterName subset =
        IstioClusterName.parse("inbound-vip|9080|http/v2|reviews.default.svc.cluster.local")
            .orElseThrow();
    IstioClusterName whole =
        IstioClusterName.parse("inbound-vip|3306|tcp|mysql.db.svc.cluster.local").orElseThrow();

    assertThat(subset.direction()).as("direction").isEqualTo(IstioClusterName.Direction.WAYPOINT);
    assertThat(subset.port()).as("port").isEqualTo(9080);
    assertThat(subset.subset()).as("subset after the protocol").isEqualTo("v2");
    assertThat(subset.service()).as("service").isEqualTo("reviews.default.svc.cluster.local");
    assertThat(whole.subset()).as("the protocol alone is no subset").isEmpty();
    assertThat(whole.serviceNamespace()).as("namespace").isEqualTo("db");
  }

  @Test
  void simulatorStyleNames_keepTheServiceAsIs() {
    IstioClusterName name = IstioClusterName.parse("outbound|9080||reviews").orElseThrow();

    assertThat(name.service()).as("service").isEqualTo("reviews");
    assertThat(name.serviceName()).as("short name").isEqualTo("reviews");
    assertThat(name.serviceNamespace()).as("namespace").isEmpty();
    assertThat(name.subset()).as("subset").isEmpty();
  }

  @Test
  void otherNames_areNotIstioNames() {
    assertThat(IstioClusterName.parse("reviews")).as("plain").isEmpty();
    assertThat(IstioClusterName.parse("outbound|http|v1|reviews")).as("bad port").isEmpty();
    assertThat(IstioClusterName.parse("sideways|9080|v1|reviews")).as("bad direction").isEmpty();
    assertThat(IstioClusterName.parse("inbound-pod|9080||10.44.3.17"))
        .as("a waypoint's per-pod cluster")
        .isEmpty();
  }
}
