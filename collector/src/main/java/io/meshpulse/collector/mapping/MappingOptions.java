package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.Reporter;

/**
 * What the access record mapper keeps and how it names things.
 *
 * @param keepPath keep the raw request path (off by default: cardinality, privacy)
 * @param plainNodes how plain Envoy nodes become workload identities
 * @param defaultReporter the reporter of entries whose cluster name carries no direction
 */
public record MappingOptions(
    boolean keepPath, PlainNodeMapping plainNodes, Reporter defaultReporter) {

  public static MappingOptions defaults() {
    return new MappingOptions(false, PlainNodeMapping.defaults(), Reporter.REPORTER_SOURCE);
  }
}
