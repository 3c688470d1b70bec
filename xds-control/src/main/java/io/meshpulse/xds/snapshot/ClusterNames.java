package io.meshpulse.xds.snapshot;

import io.meshpulse.xds.topology.ServiceSpec;

/** Istio-style xDS cluster names: {@code outbound|<port>|<subset>|<service>}. */
public final class ClusterNames {
  private ClusterNames() {}

  public static String subset(ServiceSpec service, String subset) {
    return "outbound|" + service.port() + '|' + subset + '|' + service.name();
  }

  /** The cluster of the whole service, every subset together. */
  public static String whole(ServiceSpec service) {
    return subset(service, "");
  }
}
