/**
 * The records meshpulse's modules exchange over Kafka: topic names, record keys and serdes. The
 * generated protobuf classes live in {@code io.meshpulse.model.v1}.
 */
@NullMarked
package io.meshpulse.model;

import org.jspecify.annotations.NullMarked;
