package io.meshpulse.streamprocessor.score;

import io.meshpulse.model.RecordKeys;
import io.meshpulse.model.v1.Endpoint;

/** Which endpoint an aggregate belongs to: the cluster, its subset, and the host. */
public record EndpointId(String cluster, String subset, Endpoint endpoint) {

  /** {@code "<cluster>/<address>:<port>"}, the record key of the endpoint's health. */
  public String key() {
    return RecordKeys.endpointKey(cluster, endpoint);
  }

  /** {@code "<address>:<port>"}. */
  public String hostPort() {
    return RecordKeys.hostPort(endpoint);
  }
}
