/** Kafka (de)serialization and Flink type serializers for the job. */
@NullMarked
package io.meshpulse.streamprocessor.io;

import org.jspecify.annotations.NullMarked;
