/** The bounded buffer between gRPC and Kafka, and the Kafka producer that drains it. */
@NullMarked
package io.meshpulse.collector.sink;

import org.jspecify.annotations.NullMarked;
