package io.meshpulse.sim;

/** {@code host:port} strings. */
final class HostPort {
  private HostPort() {}

  static boolean valid(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      return false;
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      return port > 0 && port <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
