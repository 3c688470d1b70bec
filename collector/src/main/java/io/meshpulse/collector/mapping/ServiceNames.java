package io.meshpulse.collector.mapping;

/**
 * Splits Kubernetes service host names ({@code name.namespace.svc.<domain>}). On the hot path
 * (twice per entry), so it scans with indexOf instead of splitting.
 */
final class ServiceNames {
  private ServiceNames() {}

  static String shortName(String service) {
    if (!isKubernetesFqdn(service)) {
      return service;
    }
    return service.substring(0, service.indexOf('.'));
  }

  static String namespace(String service) {
    if (!isKubernetesFqdn(service)) {
      return "";
    }
    int first = service.indexOf('.');
    return service.substring(first + 1, service.indexOf('.', first + 1));
  }

  /** Whether the third dot-separated label is {@code svc}. */
  private static boolean isKubernetesFqdn(String service) {
    int first = service.indexOf('.');
    if (first < 0) {
      return false;
    }
    int second = service.indexOf('.', first + 1);
    if (second < 0) {
      return false;
    }
    int third = service.indexOf('.', second + 1);
    int end = third < 0 ? service.length() : third;
    return end - second - 1 == 3 && service.startsWith("svc", second + 1);
  }
}
