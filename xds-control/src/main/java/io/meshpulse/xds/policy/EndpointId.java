package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;

/** An endpoint of a service, keyed like the health records: {@code <service>/<address>:<port>}. */
public record EndpointId(String service, String address, int port)
    implements Comparable<EndpointId> {

  public static EndpointId of(String service, EndpointSpec endpoint) {
    return new EndpointId(service, endpoint.address(), endpoint.port());
  }

  public String hostPort() {
    return new EndpointSpec(address, port, LocalitySpec.NONE).hostPort();
  }

  /** Equal to {@code RecordKeys.endpointKey(service, endpoint)} of mesh-model. */
  public String key() {
    return service + '/' + hostPort();
  }

  @Override
  public int compareTo(EndpointId o) {
    return key().compareTo(o.key());
  }

  @Override
  public String toString() {
    return key();
  }
}
