package io.meshpulse.xds.topology;

/** Where an endpoint runs, as Envoy's core.v3.Locality. */
public record LocalitySpec(String region, String zone, String subZone) {
  public static final LocalitySpec NONE = new LocalitySpec("", "", "");
}
