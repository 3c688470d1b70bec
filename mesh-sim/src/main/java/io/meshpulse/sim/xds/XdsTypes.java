package io.meshpulse.sim.xds;

/** xDS v3 type URLs. */
public final class XdsTypes {
  public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String ENDPOINT =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String HCM =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  private XdsTypes() {}

  /** Short name for logs and reports: CDS, EDS, LDS, RDS or the URL. */
  public static String shortName(String typeUrl) {
    return switch (typeUrl) {
      case CLUSTER -> "CDS";
      case ENDPOINT -> "EDS";
      case LISTENER -> "LDS";
      case ROUTE -> "RDS";
      default -> typeUrl;
    };
  }
}
