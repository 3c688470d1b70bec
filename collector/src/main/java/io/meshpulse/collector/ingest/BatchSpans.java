package io.meshpulse.collector.ingest;

import io.meshpulse.collector.mapping.NodeIdentity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;

/** Starts the span of one received message (a no-op span when tracing is off). */
final class BatchSpans {
  private BatchSpans() {}

  static Span start(
      Tracer tracer, String name, NodeIdentity node, StreamContext context, byte[] message) {
    return tracer
        .spanBuilder(name)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("envoy.node.id", node.nodeId())
        .setAttribute("meshpulse.stream.id", context.id())
        .setAttribute("meshpulse.message.bytes", (long) message.length)
        .startSpan();
  }
}
