/** The gRPC edge: Envoy AccessLogService and MetricsService streams, with inbound flow control. */
@NullMarked
package io.meshpulse.collector.ingest;

import org.jspecify.annotations.NullMarked;
