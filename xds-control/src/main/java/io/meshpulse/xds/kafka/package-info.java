/** Kafka helpers shared by the adapters that read a topic back when xds-control starts. */
@NullMarked
package io.meshpulse.xds.kafka;

import org.jspecify.annotations.NullMarked;
