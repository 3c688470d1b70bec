/**
 * {@code ./meshpulse bench collector}: JMH of the collector's mapping path and a whole-collector
 * run (gRPC in, Kafka acknowledged) next to the raw protobuf decode rate of the same messages.
 */
@NullMarked
package io.meshpulse.bench.collector;

import org.jspecify.annotations.NullMarked;
