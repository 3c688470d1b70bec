package io.meshpulse.collector.mapping;

/** Splits Kubernetes service host names ({@code name.namespace.svc.<domain>}). */
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
    String[] labels = service.split("\\.");
    return labels[1];
  }

  private static boolean isKubernetesFqdn(String service) {
    String[] labels = service.split("\\.");
    return labels.length >= 3 && labels[2].equals("svc");
  }
}
