package io.meshpulse.model;

import io.meshpulse.model.v1.AccessRecord;
import io.meshpulse.model.v1.Endpoint;
import io.meshpulse.model.v1.EndpointHealth;
import io.meshpulse.model.v1.ServiceHealth;

/**
 * The record keys of the platform's topics. Keys of one endpoint are equal across topics, so that
 * access records and health records of an endpoint share a partition.
 */
public final class RecordKeys {
  private RecordKeys() {}

  /** {@code "<cluster>/<address>:<port>"}, or {@code "<cluster>"} when no host was selected. */
  public static String endpointKey(String cluster, Endpoint endpoint) {
    if (endpoint.getAddress().isEmpty()) {
      return cluster;
    }
    return cluster + '/' + hostPort(endpoint);
  }

  /** {@code "<address>:<port>"}, IPv6 addresses in brackets. */
  public static String hostPort(Endpoint endpoint) {
    String address = endpoint.getAddress();
    if (address.indexOf(':') >= 0) {
      return '[' + address + "]:" + endpoint.getPort();
    }
    return address + ':' + endpoint.getPort();
  }

  public static String of(AccessRecord record) {
    return endpointKey(record.getCluster(), record.getEndpoint());
  }

  public static String of(EndpointHealth health) {
    return endpointKey(health.getCluster(), health.getEndpoint());
  }

  /** {@code "<cluster>"} for the whole cluster, {@code "<cluster>/<subset>"} for one subset. */
  public static String of(ServiceHealth health) {
    return health.getSubset().isEmpty()
        ? health.getCluster()
        : health.getCluster() + '/' + health.getSubset();
  }
}
