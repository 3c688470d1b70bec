package io.meshpulse.xds.snapshot;

import java.time.Duration;

/**
 * The access log the HTTP connection managers served to Envoys carry: Envoy's gRPC access logger
 * ({@code envoy.access_loggers.http_grpc}) sending to the collector through cluster {@code
 * cluster}, which the Envoy's bootstrap defines (see docs/envoy.md). An empty cluster serves no
 * access log. Proxyless gRPC clients get none: they do not log.
 *
 * @param flushInterval how long Envoy buffers entries before sending (Envoy's own default is 1 s;
 *     shorter means the loop reacts sooner)
 */
public record AccessLogOptions(String cluster, Duration flushInterval) {
  public static final AccessLogOptions NONE = new AccessLogOptions("", Duration.ofSeconds(1));

  /** The log name the collector sees in each stream's identifier. */
  public static final String LOG_NAME = "meshpulse";

  public AccessLogOptions {
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flush-interval must be positive: " + flushInterval);
    }
  }

  public boolean enabled() {
    return !cluster.isBlank();
  }
}
