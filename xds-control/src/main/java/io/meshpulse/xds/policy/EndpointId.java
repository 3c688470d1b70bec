package io.meshpulse.xds.policy;

import io.meshpulse.xds.topology.EndpointSpec;
import io.meshpulse.xds.topology.LocalitySpec;
import org.jspecify.annotations.Nullable;

/** An endpoint of a service, keyed like the health records: {@code <service>/<address>:<port>}. */
public record EndpointId(String service, String address, int port)
    implements Comparable<EndpointId> {

  public static EndpointId of(String service, EndpointSpec endpoint) {
    return new EndpointId(service, endpoint.address(), endpoint.port());
  }

  /**
   * The endpoint a health record's key names ({@link #key()}'s inverse), or null when the key names
   * none: no host, or not a key of that shape.
   */
  public static @Nullable EndpointId parse(String key) {
    int slash = key.lastIndexOf('/');
    if (slash <= 0) {
      return null;
    }
    String address;
    int colon;
    if (key.startsWith("[", slash + 1)) {
      int close = key.indexOf(']', slash + 2);
      if (close < 0 || !key.startsWith(":", close + 1)) {
        return null;
      }
      address = key.substring(slash + 2, close);
      colon = close + 1;
    } else {
      colon = key.lastIndexOf(':');
      if (colon <= slash + 1) {
        return null;
      }
      address = key.substring(slash + 1, colon);
    }
    if (address.isEmpty() || colon + 1 >= key.length() || key.length() - colon > 6) {
      return null;
    }
    int port = 0;
    for (int i = colon + 1; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      port = port * 10 + (c - '0');
    }
    return port > 65_535 ? null : new EndpointId(key.substring(0, slash), address, port);
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
