package io.meshpulse.xds.topology;

/** One endpoint of a subset. */
public record EndpointSpec(String address, int port, LocalitySpec locality) {
  /** {@code "<address>:<port>"}, IPv6 addresses in brackets, as {@code RecordKeys.hostPort}. */
  public String hostPort() {
    return address.indexOf(':') >= 0 ? '[' + address + "]:" + port : address + ':' + port;
  }
}
