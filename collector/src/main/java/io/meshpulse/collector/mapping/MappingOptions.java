package io.meshpulse.collector.mapping;

import io.meshpulse.model.v1.Reporter;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the access record mapper keeps and how it names things.
 *
 * @param keepPath keep the raw request path (off by default: cardinality, privacy)
 * @param keepHeaders request headers to keep (lower-case names); empty by default
 * @param plainNodes how plain Envoy nodes become workload identities
 * @param defaultReporter the reporter of entries whose cluster name carries no direction
 */
public record MappingOptions(
    boolean keepPath,
    Set<String> keepHeaders,
    PlainNodeMapping plainNodes,
    Reporter defaultReporter,
    int maxTcpConnections) {

  /** TCP connections whose byte totals all streams together remember, by default. */
  public static final int DEFAULT_MAX_TCP_CONNECTIONS = 100_000;

  public MappingOptions(
      boolean keepPath,
      Set<String> keepHeaders,
      PlainNodeMapping plainNodes,
      Reporter defaultReporter) {
    this(keepPath, keepHeaders, plainNodes, defaultReporter, DEFAULT_MAX_TCP_CONNECTIONS);
  }

  public MappingOptions {
    if (maxTcpConnections < 1) {
      throw new IllegalArgumentException(
          "maxTcpConnections must be at least 1: " + maxTcpConnections);
    }
    keepHeaders =
        keepHeaders.stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  public static MappingOptions defaults() {
    return new MappingOptions(
        false, Set.of(), PlainNodeMapping.defaults(), Reporter.REPORTER_SOURCE);
  }
}
